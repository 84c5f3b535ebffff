using Runtime.Linux;

namespace Runtime.Rootfs;

/// <summary>
/// Paths inside the container's rootfs are resolved through the rootfs directory fd with openat2
/// RESOLVE_IN_ROOT: symlinks (even ones swapped in while we work, CVE-2021-30465 / CVE-2024-45310)
/// resolve as if the rootfs were "/", so nothing we create or mount can land outside it.
/// Mounts then target the resolved fd through /proc/self/fd/N.
/// </summary>
internal static class SecurePath
{
    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS;

    /// <summary>Opens <paramref name="path"/> (absolute inside the rootfs) as an O_PATH fd, or -1 with errno set.</summary>
    public static int TryOpen(int rootFd, string path, int flags = 0) =>
        Libc.OpenAt2(rootFd, Relative(path), (ulong)(Libc.O_PATH | Libc.O_CLOEXEC | flags), Resolve);

    public static int Open(int rootFd, string path, string what, int flags = 0)
    {
        int fd = TryOpen(rootFd, path, flags);
        return fd >= 0 ? fd : throw new SyscallException($"{what}: open {path} in the rootfs", Libc.LastErrno);
    }

    /// <summary>mkdir -p inside the rootfs; returns an O_PATH fd of the directory. A symlink on the
    /// way whose target does not exist yet is followed inside the rootfs and its target created.</summary>
    public static int MkdirAll(int rootFd, string path, uint mode, string what) => MkdirAll(rootFd, path, mode, what, 0);

    private static unsafe int MkdirAll(int rootFd, string path, uint mode, string what, int depth)
    {
        if (depth > 40)
            throw new RuntimeException($"{what}: too many levels of symbolic links under {path}");
        int fd = TryOpen(rootFd, path, Libc.O_DIRECTORY);
        if (fd >= 0)
            return fd;
        if (Libc.LastErrno == Errnos.ENOTDIR)
            throw new RuntimeException($"{what}: {path} exists in the rootfs and is not a directory");
        var parts = Relative(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var prefix = "";
        foreach (var part in parts)
        {
            if (part == "..")
                throw new RuntimeException($"{what}: path {path} must not contain \"..\"");
            var parent = prefix.Length == 0 ? "/" : prefix;
            prefix = prefix + "/" + part;
            int existing = TryOpen(rootFd, prefix, Libc.O_DIRECTORY);
            if (existing >= 0)
            {
                Libc.Close(existing);
                continue;
            }
            int pfd = Open(rootFd, parent, what, Libc.O_DIRECTORY);
            try
            {
                if (Libc.MkdirAt(pfd, part, mode) == 0)
                    continue;
                if (Libc.LastErrno != Errnos.EEXIST)
                    throw new SyscallException($"{what}: mkdir {prefix} in the rootfs", Libc.LastErrno);
                // It exists but did not open as a directory: a dangling symlink. Resolve it in the root,
                // but never a procfs link (/proc/self/fd/N reads as a host path: CVE-2024-21626's trick).
                if (Libc.Fstatfs(pfd, out var fs) == 0 && fs.Type == Libc.PROC_SUPER_MAGIC)
                    throw new RuntimeException($"{what}: {prefix} is a link on procfs: refusing to follow it");
                var buf = stackalloc byte[4096];
                nint n = Libc.ReadlinkAt(pfd, part, buf, 4096);
                if (n <= 0)
                    throw new RuntimeException($"{what}: {prefix} exists in the rootfs and is not a directory");
                var target = System.Text.Encoding.UTF8.GetString(buf, (int)n);
                var rest = string.Join("/", parts.SkipWhile(p => p != part).Skip(1));
                var next = (target.StartsWith('/') ? target : parent.TrimEnd('/') + "/" + target) + (rest.Length > 0 ? "/" + rest : "");
                return MkdirAll(rootFd, next, mode, what, depth + 1);
            }
            finally
            {
                Libc.Close(pfd);
            }
        }
        return Open(rootFd, path, what, Libc.O_DIRECTORY);
    }

    /// <summary>Creates an empty regular file (a bind-mount target for a file) unless something exists there.
    /// With <paramref name="followLast"/> false a symlink in the last component is refused rather than
    /// followed: the caller mounts onto exactly this name (/dev/console, CVE-2025-52565).</summary>
    public static int CreateFile(int rootFd, string path, string what, bool followLast = true)
    {
        int noFollow = followLast ? 0 : Libc.O_NOFOLLOW;
        int fd = TryOpen(rootFd, path, noFollow);
        if (fd >= 0)
            return followLast ? fd : RefuseSymlink(fd, path, what);
        var dir = Path.GetDirectoryName(path.TrimEnd('/')) ?? "/";
        var name = Path.GetFileName(path.TrimEnd('/'));
        int dfd = MkdirAll(rootFd, dir, 0x1ed, what);
        try
        {
            // The parent was resolved in the root; the name is a single component created without following links.
            int reopened = Libc.Check(Libc.OpenAt2(dfd, ".", (ulong)(Libc.O_DIRECTORY | Libc.O_CLOEXEC | Libc.O_RDONLY), 0), $"{what}: reopen {dir}");
            try
            {
                int f = Libc.OpenAt(reopened, name, Libc.O_CREAT | Libc.O_WRONLY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0x1a4);
                if (f == -1 && Libc.LastErrno != Errnos.EEXIST)
                    throw new SyscallException($"{what}: create {path} in the rootfs", Libc.LastErrno);
                if (f >= 0) Libc.Close(f);
            }
            finally
            {
                Libc.Close(reopened);
            }
        }
        finally
        {
            Libc.Close(dfd);
        }
        fd = Open(rootFd, path, what, noFollow);
        return followLast ? fd : RefuseSymlink(fd, path, what);
    }

    /// <summary>An O_PATH|O_NOFOLLOW open of a symlink yields the link itself: never a mount target.
    /// (A following open never yields a link, so only the no-follow case pays this fstat.)</summary>
    private static int RefuseSymlink(int fd, string path, string what)
    {
        int rc = Libc.Fstat(fd, out var st), errno = Libc.LastErrno;
        if (rc == 0 && (st.Mode & Libc.S_IFMT) != Libc.S_IFLNK)
            return fd;
        Libc.Close(fd);
        if (rc != 0)
            throw new SyscallException($"{what}: stat {path} in the rootfs", errno);
        throw new RuntimeException($"{what}: {path} in the rootfs is a symbolic link: refusing to mount over its target");
    }

    /// <summary>The /proc/self/fd path that mount(2) follows to the resolved inode.</summary>
    public static string FdPath(int fd) => $"/proc/self/fd/{fd}";

    public static bool IsDirectory(int fd) => Libc.Fstat(fd, out var st) == 0 && (st.Mode & Libc.S_IFMT) == Libc.S_IFDIR;

    private static string Relative(string path)
    {
        var p = path.TrimStart('/');
        return p.Length == 0 ? "." : p;
    }
}
