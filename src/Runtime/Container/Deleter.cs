using Runtime.Cgroups;
using Runtime.Hooks;
using Runtime.Linux;
using Runtime.Process;
using Runtime.Spec;
using Runtime.State;

namespace Runtime.Container;

/// <summary>`delete`: removes a stopped container (or, with --force, kills it first and waits for it
/// through a pidfd: no fixed sleep), then runs poststop hooks.</summary>
internal static unsafe class Deleter
{
    public static void Delete(string root, string id, bool force)
    {
        Logging.Log.Stage("delete: read state");
        var store = new StateStore(root);
        ContainerDir dir;
        try
        {
            dir = store.Open(id);
        }
        catch (RuntimeException e) when (force && e.Message == "container does not exist")
        {
            return; // containerd deletes with --force after the container is gone: that is success
        }
        using (dir)
        {
            var record = dir.Read();
            var status = ContainerStatus.Of(record, dir);
            if (status != ContainerStatus.Stopped)
            {
                // The spec: deleting a container that is not stopped must fail (runc deletes created ones).
                if (!force)
                    throw new RuntimeException($"cannot delete container {id} that is not stopped: {status}");
                Logging.Log.Stage("delete: kill and wait");
                if (record.Pid > 0)
                    KillAndWait(record);
            }
            KillRemaining(record);
            Destroy(dir, record);
        }
    }

    /// <summary>Without its own pid namespace, the container's other processes outlive its init:
    /// SIGKILL everything left in its cgroup (thawing a frozen one first, so they can die).</summary>
    private static void KillRemaining(ContainerRecord record)
    {
        if (record.Cgroup == null || record.PrivatePidNamespace)
            return;
        var cgroup = CgroupManager.FromSavedPaths(record.Cgroup, Logging.Log.Warn);
        if (cgroup.Exists && cgroup.Pids().Count > 0)
            cgroup.KillAll(Libc.SIGKILL);
    }

    /// <summary>Removes the cgroups and the state, then runs poststop hooks; hook failures are warnings (all hooks run).</summary>
    public static void Destroy(ContainerDir dir, ContainerRecord record)
    {
        Logging.Log.Stage("delete: remove cgroups, state; poststop hooks");
        if (record.Cgroup != null)
            CgroupManager.FromSavedPaths(record.Cgroup, Logging.Log.Warn).Destroy();
        dir.Remove();
        var state = new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Stopped, Annotations = record.Annotations };
        foreach (var e in HookRunner.RunAllCollectingErrors(record.Poststop, "poststop", state))
            Logging.Log.Warn(e);
    }

    private static void KillAndWait(ContainerRecord record)
    {
        int pidfd = Libc.PidfdOpen(record.Pid);
        if (pidfd == -1)
            return;
        try
        {
            if (!ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
                return;
            // A frozen init cannot die: thaw first (runc#3134 hung here).
            if (record.Cgroup != null)
            {
                var cgroup = CgroupManager.FromSavedPaths(record.Cgroup, Logging.Log.Warn);
                if (cgroup.State == FreezerState.Frozen)
                {
                    Libc.PidfdSendSignal(pidfd, Libc.SIGKILL);
                    cgroup.Thaw();
                }
            }
            Libc.PidfdSendSignal(pidfd, Libc.SIGKILL);
            if (PidfdWait.ForExit(pidfd, 10_000))
                return;
            throw new RuntimeException($"container init {record.Pid} did not exit within 10s of SIGKILL");
        }
        finally
        {
            Libc.Close(pidfd);
        }
    }
}
