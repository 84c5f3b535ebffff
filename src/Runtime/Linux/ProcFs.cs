using System.Text;

namespace Runtime.Linux;

/// <summary>
/// A handle on a real procfs. Writes to /proc (sysctl, oom_score_adj, LSM attrs) go through it, so a
/// container that bind-mounts a fake /proc or plants symlinks cannot redirect them
/// (CVE-2019-16884, 2019-19921, 2023-27561, 2023-28642, 2025-52881).
/// </summary>
internal sealed unsafe class ProcFs : IDisposable
{
    /// <summary>The inode number of every procfs root.</summary>
    private const ulong PROC_ROOT_INO = 1;

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
        // A directory inside some procfs (say /proc/sys bind-mounted over /proc) is not its root.
        if (Libc.Fstat(fd, out var stat) != 0 || stat.Ino != PROC_ROOT_INO)
        {
            Libc.Close(fd);
            throw new RuntimeException($"{mountPoint} is not the root of a procfs mount: refusing to write through it");
        }
        return new ProcFs(fd);
    }

    /// <summary>Opens a file below the procfs root, refusing symlinks, anything that crosses a mount
    /// (a procfs file bind-mounted over another) or resolves outside this procfs. The fd is
    /// close-on-exec.</summary>
    public int OpenVerified(string relativePath, int flags, string what)
    {
        int fd = Libc.OpenAt2(Fd, relativePath, (ulong)(flags | Libc.O_CLOEXEC | Libc.O_NOFOLLOW),
            Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_XDEV);
        if (fd == -1 && Libc.LastErrno is Errnos.ELOOP or Errnos.EXDEV)
            throw new RuntimeException($"{what}: /proc/{relativePath} is a symlink or crosses a mount: refusing to use it");
        Libc.Check(fd, $"{what}: open /proc/{relativePath}");
        if (Libc.Fstatfs(fd, out var st) != 0 || st.Type != Libc.PROC_SUPER_MAGIC)
        {
            Libc.Close(fd);
            throw new RuntimeException($"{what}: /proc/{relativePath} is not on procfs: refusing to use it");
        }
        return fd;
    }

    /// <summary>True if <paramref name="relativePath"/> exists (checked with the same rules as
    /// <see cref="OpenVerified"/>).</summary>
    public bool Exists(string relativePath, string what)
    {
        int fd = Libc.OpenAt2(Fd, relativePath, (ulong)(Libc.O_PATH | Libc.O_CLOEXEC | Libc.O_NOFOLLOW),
            Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_XDEV);
        if (fd == -1 && Libc.LastErrno == Errnos.ENOENT)
            return false;
        Libc.Check(fd, $"{what}: look up /proc/{relativePath}");
        Libc.Close(fd);
        return true;
    }

    /// <summary>Writes <paramref name="value"/> to a file below the procfs root, refusing symlinks and
    /// anything that resolves outside this procfs.</summary>
    public void Write(string relativePath, string value, string what)
    {
        int fd = OpenVerified(relativePath, Libc.O_WRONLY | Libc.O_TRUNC, what);
        try
        {
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

    /// <summary>Reads a (small) file below the procfs root with the rules of <see cref="OpenVerified"/>.</summary>
    public string Read(string relativePath, string what)
    {
        int fd = OpenVerified(relativePath, Libc.O_RDONLY, what);
        try
        {
            using var text = new MemoryStream();
            var buf = new byte[4096];
            fixed (byte* b = buf)
                for (nint n; ;)
                {
                    n = Libc.Read(fd, b, buf.Length);
                    if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                    if (Libc.Check(n, $"{what}: read /proc/{relativePath}") == 0) break;
                    text.Write(buf, 0, (int)n);
                }
            return Encoding.UTF8.GetString(text.ToArray());
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>"PID/task/TID/<paramref name="subpath"/>" for the calling thread: thread-self is a
    /// symlink, which <see cref="OpenVerified"/> refuses to follow, so it is read here and checked to
    /// be nothing but numbers.</summary>
    public string ThreadSelf(string subpath)
    {
        var buf = stackalloc byte[64];
        nint n = Libc.Check(Libc.ReadlinkAt(Fd, "thread-self", buf, 64), "readlink /proc/thread-self");
        var target = Encoding.ASCII.GetString(buf, (int)n);
        var parts = target.Split('/');
        if (n == 64 || parts.Length != 3 || parts[1] != "task" || !IsNumber(parts[0]) || !IsNumber(parts[2]))
            throw new RuntimeException($"/proc/thread-self points to \"{target}\", not PID/task/TID: refusing to use it");
        return $"{target}/{subpath}";
    }

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.Close(Fd);
            Fd = -1;
        }
    }
}
