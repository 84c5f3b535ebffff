using System.Text;

namespace Runtime.Linux;

/// <summary>
/// A handle on a real procfs. Writes to /proc (sysctl, oom_score_adj, LSM attrs) go through it, so a
/// container that bind-mounts a fake /proc or plants symlinks cannot redirect them
/// (CVE-2019-16884, 2019-19921, 2023-27561, 2023-28642, 2025-52881).
/// </summary>
internal sealed unsafe class ProcFs : IDisposable
{
    public int Fd { get; private set; }

    private ProcFs(int fd) => Fd = fd;

    /// <summary>Opens <paramref name="mountPoint"/> and checks it is procfs (statfs magic) and its root.</summary>
    public static ProcFs Open(string mountPoint = "/proc")
    {
        int fd = Libc.Check(Libc.Open(mountPoint, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0), $"open {mountPoint}");
        if (Libc.Fstatfs(fd, out var st) != 0 || st.Type != Libc.PROC_SUPER_MAGIC)
        {
            Libc.Close(fd);
            throw new RuntimeException($"{mountPoint} is not a procfs mount: refusing to write through it");
        }
        return new ProcFs(fd);
    }

    /// <summary>Writes <paramref name="value"/> to a file below the procfs root, refusing symlinks and
    /// anything that resolves outside this procfs.</summary>
    public void Write(string relativePath, string value, string what)
    {
        int fd = Libc.OpenAt2(Fd, relativePath, (ulong)(Libc.O_WRONLY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | Libc.O_TRUNC),
            Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_XDEV);
        if (fd == -1 && Libc.LastErrno == Errnos.ELOOP)
            throw new RuntimeException($"{what}: /proc/{relativePath} is a symlink or crosses a mount: refusing to write");
        Libc.Check(fd, $"{what}: open /proc/{relativePath}");
        try
        {
            if (Libc.Fstatfs(fd, out var st) != 0 || st.Type != Libc.PROC_SUPER_MAGIC)
                throw new RuntimeException($"{what}: /proc/{relativePath} is not on procfs: refusing to write");
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
            {
                nint n = Libc.Write(fd, b, bytes.Length);
                if (n != bytes.Length)
                    throw new SyscallException($"{what}: write \"{value}\" to /proc/{relativePath}", n == -1 ? Libc.LastErrno : Errnos.EIO);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.Close(Fd);
            Fd = -1;
        }
    }
}
