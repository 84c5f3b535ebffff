using Runtime.Linux;

namespace Runtime.Process;

/// <summary>An fd handed to a spawned init by inheritance: a copy without close-on-exec, placed above
/// the fds that pass through to the container (3 .. 3+preserveFds-1).</summary>
internal sealed class InheritedFd : IDisposable
{
    public int Fd { get; private set; }

    public InheritedFd(int fd, int preserveFds, string what) =>
        Fd = Libc.Check(Libc.Fcntl(fd, Libc.F_DUPFD, 3 + preserveFds), $"{what}: dup");

    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.Close(Fd);
            Fd = -1;
        }
    }
}
