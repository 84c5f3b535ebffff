using System.Runtime.InteropServices;
using Runtime.Linux;
using Runtime.Process;
using Runtime.State;

namespace Runtime.Container;

/// <summary>`run`: create + start. In the foreground we stay the container's parent (a child
/// subreaper, so an init forked into a new pid namespace is reparented to us), forward signals,
/// reap, and exit with the container's status; then the container is deleted unless --keep.</summary>
internal static unsafe class Runner
{
    public static int Run(CreateRequest request, bool detach, bool keep, bool noSubreaper)
    {
        if (!detach && !noSubreaper)
            Libc.Check(Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
        var record = Creator.Create(request);
        try
        {
            Starter.Start(request.Root, request.Id);
        }
        catch
        {
            Deleter.Delete(request.Root, request.Id, force: true);
            throw;
        }
        if (detach)
            return 0;

        var forwarded = new List<PosixSignalRegistration>();
        foreach (int sig in new[] { 1, 2, 3, 10, 12, 15, 28 /* HUP INT QUIT USR1 USR2 TERM WINCH */ })
            forwarded.Add(PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
            {
                ctx.Cancel = true;
                Killer.SignalInit(record, sig);
            }));
        int exitCode;
        try
        {
            exitCode = WaitForInit(record.Pid);
        }
        finally
        {
            foreach (var r in forwarded) r.Dispose();
        }
        if (!keep)
            Deleter.Delete(request.Root, request.Id, force: true);
        return exitCode;
    }

    /// <summary>Reaps children (as a subreaper we also collect orphans of the container) until the init exits.</summary>
    private static int WaitForInit(int pid)
    {
        while (true)
        {
            int status;
            int rc = Libc.WaitPid(-1, &status, Libc.__WALL);
            if (rc == -1)
            {
                if (Libc.LastErrno == Errnos.EINTR) continue;
                if (Libc.LastErrno == Errnos.ECHILD) return WaitWithoutParenthood(pid);
                throw new SyscallException("wait for the container", Libc.LastErrno);
            }
            if (rc == pid)
                return Spawner.ExitCode(status);
        }
    }

    /// <summary>--no-subreaper with a pid namespace: the init is not our child; wait via pidfd
    /// (its exit status is not ours to read).</summary>
    private static int WaitWithoutParenthood(int pid)
    {
        int pidfd = Libc.PidfdOpen(pid);
        if (pidfd == -1) return 0;
        var pfd = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
        while (Libc.Poll(&pfd, 1, -1) == -1 && Libc.LastErrno == Errnos.EINTR) { }
        Libc.Close(pidfd);
        return 0;
    }
}
