using Runtime.Cgroups;
using Runtime.Linux;
using Runtime.Process;
using Runtime.State;

namespace Runtime.Container;

/// <summary>`kill`: signals the init through a pidfd, so a pid reused since we checked is never hit.</summary>
internal static class Killer
{
    public static void Kill(string root, string id, int sig, bool all)
    {
        using var dir = new StateStore(root).Open(id);
        var record = dir.Read();
        var status = ContainerStatus.Of(record, dir);
        if (all && record.Cgroup != null)
        {
            // Every process in the container's cgroup, even once the init is gone (runc allows --all then).
            var cgroup = CgroupManager.FromSavedPaths(record.Cgroup, Logging.Log.Warn);
            if (cgroup.Exists)
            {
                cgroup.KillAll(sig);
                return;
            }
        }
        if (status is ContainerStatus.Stopped or ContainerStatus.Creating)
            throw new RuntimeException("container not running");
        if (!SignalInit(record, sig))
            throw new RuntimeException("container not running");
    }

    /// <summary>Sends <paramref name="sig"/> to the container's init; false if it is already gone.</summary>
    public static bool SignalInit(ContainerRecord record, int sig)
    {
        int pidfd = Libc.PidfdOpen(record.Pid);
        if (pidfd == -1)
            return Libc.LastErrno == Errnos.ESRCH ? false : throw new SyscallException($"pidfd_open {record.Pid}", Libc.LastErrno);
        try
        {
            // Opened after the start-time check would race; check after opening: the pidfd pins the process.
            if (!ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
                return false;
            if (Libc.PidfdSendSignal(pidfd, sig) == -1)
                return Libc.LastErrno == Errnos.ESRCH ? false : throw new SyscallException($"kill {record.Pid}", Libc.LastErrno);
            return true;
        }
        finally
        {
            Libc.Close(pidfd);
        }
    }
}
