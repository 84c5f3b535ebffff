using System.Runtime.InteropServices;
using Runtime.Linux;

namespace Runtime.Process;

/// <summary>Staying in the foreground for a container process (`run`, `exec`): signals we receive are
/// forwarded to it, and we reap (as a child subreaper, also the orphans it leaves) until it exits.</summary>
internal static unsafe class Foreground
{
    private static readonly int[] Forwarded = { 1, 2, 3, 10, 12, 15, 28 }; // HUP INT QUIT USR1 USR2 TERM WINCH

    /// <summary>Starts forwarding signals now (before the process may even exist: a signal that
    /// arrives while poststart hooks run must reach the container, not kill us).</summary>
    public static IDisposable Forward(Func<Action<int>?> target)
    {
        var registrations = Forwarded.Select(sig => PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
        {
            ctx.Cancel = true;
            target()?.Invoke(sig);
        })).ToList();
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> list) : IDisposable
    {
        public void Dispose() => list.ForEach(r => r.Dispose());
    }

    /// <returns>The process's exit code, 128+signal when killed.</returns>
    public static int Wait(int pid, Action<int> forward)
    {
        using var forwarding = Forward(() => forward);
        return Reap(pid);
    }

    /// <summary>Reaps until <paramref name="pid"/> exits (signal forwarding is the caller's).</summary>
    public static int Reap(int pid)
    {
        {
            while (true)
            {
                int status;
                int rc = Libc.WaitPid(-1, &status, Libc.__WALL);
                if (rc == -1)
                {
                    if (Libc.LastErrno == Errnos.EINTR) continue;
                    if (Libc.LastErrno == Errnos.ECHILD) return WaitWithoutParenthood(pid);
                    throw new SyscallException("wait for the container process", Libc.LastErrno);
                }
                if (rc == pid)
                    return Spawner.ExitCode(status);
            }
        }
    }

    /// <summary>Not our child (--no-subreaper with a pid namespace): wait through a pidfd; its exit
    /// status is not ours to read.</summary>
    private static int WaitWithoutParenthood(int pid)
    {
        int pidfd = Libc.PidfdOpen(pid);
        if (pidfd == -1) return 0;
        PidfdWait.ForExit(pidfd);
        Libc.Close(pidfd);
        return 0;
    }
}
