using Runtime.Linux;

namespace Runtime.Process;

/// <summary>Waiting for any process to exit (not only our children) without polling: a pidfd
/// becomes readable when its process exits.</summary>
internal static unsafe class PidfdWait
{
    /// <summary>True once the process behind <paramref name="pidfd"/> has exited; false when
    /// <paramref name="timeoutMs"/> (-1: none) ran out first.</summary>
    public static bool ForExit(int pidfd, int timeoutMs = -1)
    {
        var pfd = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            int wait = timeoutMs < 0 ? -1 : (int)Math.Max(0, deadline - Environment.TickCount64);
            int rc = Libc.Poll(&pfd, 1, wait);
            if (rc > 0) return true;
            if (rc == 0) return false;
            if (Libc.LastErrno != Errnos.EINTR) throw new SyscallException("poll pidfd", Libc.LastErrno);
        }
    }
}
