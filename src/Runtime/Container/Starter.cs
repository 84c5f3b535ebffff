using Runtime.Hooks;
using Runtime.Linux;
using Runtime.Spec;
using Runtime.State;

namespace Runtime.Container;

/// <summary>`start`: opens the exec fifo, which releases the waiting init into the user's program,
/// then runs poststart hooks (after the program started, not at create).</summary>
internal static unsafe class Starter
{
    public static ContainerRecord Start(string root, string id)
    {
        Logging.Log.Stage("start: read state");
        using var dir = new StateStore(root).Open(id);
        var record = dir.Read();
        var status = ContainerStatus.Of(record, dir);
        switch (status)
        {
            case ContainerStatus.Created: break;
            case ContainerStatus.Stopped: throw new RuntimeException("cannot start a container that has stopped");
            case ContainerStatus.Running: throw new RuntimeException("cannot start an already running container");
            default: throw new RuntimeException($"cannot start a container in the {status} state");
        }
        Logging.Log.Stage("start: release init (exec fifo) until it execs");
        ReleaseInit(dir, record);
        Logging.Log.Stage("start: write state, poststart hooks");
        record.Started = true;
        dir.Write(record);

        var state = new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Running, Annotations = record.Annotations };
        // The spec: a failing poststart hook is a warning; the container keeps running.
        foreach (var e in HookRunner.RunAllCollectingErrors(record.Poststart, "poststart", state))
            Logging.Log.Warn(e);
        return record;
    }

    /// <summary>Reads the init's byte from the fifo, watching the init through a pidfd so a dead init
    /// is an error rather than a hang.</summary>
    private static void ReleaseInit(ContainerDir dir, ContainerRecord record)
    {
        var fifoPath = Path.Combine(dir.Path, ContainerDir.ExecFifo);
        int fifo = Libc.Check(Libc.Open(fifoPath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0), $"open {fifoPath}");
        int pidfd = Libc.PidfdOpen(record.Pid);
        try
        {
            var fds = stackalloc Libc.PollFd[2];
            fds[0] = new Libc.PollFd { Fd = fifo, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
            bool released = false;
            while (true)
            {
                int rc = Libc.Poll(fds, pidfd >= 0 ? 2u : 1u, -1);
                if (rc == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                Libc.Check(rc, "poll exec fifo");
                if ((fds[0].Revents & (Libc.POLLIN | 0x10 /* POLLHUP */)) != 0)
                {
                    byte b;
                    nint n = Libc.Read(fifo, &b, 1);
                    if (n == 1) released = true;          // the init is past its wait
                    else if (n == 0 && released) break;   // its write end closed on execve: the program runs
                    else if (n == 0) Thread.Sleep(1);     // no writer yet
                }
                if (pidfd >= 0 && (fds[1].Revents & Libc.POLLIN) != 0)
                {
                    if (released) break; // it exec'd and already exited, or failed after the wait (its error is on its stderr)
                    throw new RuntimeException("cannot start container: its init exited before start");
                }
            }
        }
        finally
        {
            Libc.Close(fifo);
            if (pidfd >= 0) Libc.Close(pidfd);
        }
        File.Delete(fifoPath);
    }
}
