using Runtime.Cgroups;
using Runtime.Process;
using Runtime.State;

namespace Runtime.Container;

/// <summary>The live status of a stored container, derived from facts, never stored: the init
/// process (pid + start time, so a reused pid is not ours), the exec fifo (present until `start`).</summary>
internal static class ContainerStatus
{
    public const string Creating = "creating", Created = "created", Running = "running", Stopped = "stopped", Paused = "paused";

    public static string Of(ContainerRecord record, ContainerDir dir)
    {
        if (record.Pid == 0 || !record.Ready && ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
            return Creating;
        if (!ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
            return Stopped;
        if (dir.HasExecFifo)
            return Created;
        if (record.Cgroup != null && CgroupManager.FromSavedPaths(record.Cgroup).State == FreezerState.Frozen)
            return Paused;
        return Running;
    }
}
