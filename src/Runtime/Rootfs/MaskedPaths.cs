using Runtime.Linux;

namespace Runtime.Rootfs;

/// <summary>linux.maskedPaths and linux.readonlyPaths, applied after pivot_root.</summary>
internal static class MaskedPaths
{
    /// <summary>Files are covered by /dev/null, directories by an empty read-only tmpfs. /dev/null is checked
    /// to be the real 1:3 character device first: a container that swapped it for a symlink or a
    /// file must not be able to redirect the bind (CVE-2025-31133).</summary>
    public static void Mask(IReadOnlyList<string>? paths)
    {
        int devNull = -1;
        try
        {
            ForEachExisting("linux.maskedPaths", paths, (root, fd, path, field) =>
            {
                if (SecurePath.IsDirectory(fd))
                    Libc.Check(Libc.Mount("tmpfs", SecurePath.FdPath(fd), "tmpfs", Libc.MS_RDONLY, "size=0k,mode=0555"), $"{field}: mount tmpfs");
                else
                {
                    if (devNull < 0)
                        devNull = OpenVerifiedDevNull();
                    Libc.Check(Libc.Mount(SecurePath.FdPath(devNull), SecurePath.FdPath(fd), null, Libc.MS_BIND, null), $"{field}: bind /dev/null");
                }
            });
        }
        finally
        {
            if (devNull >= 0) Libc.Close(devNull);
        }
    }

    public static int OpenVerifiedDevNull()
    {
        int fd = Libc.Check(Libc.Open("/dev/null", Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0), "open /dev/null for masking");
        if (Libc.Fstat(fd, out var st) != 0 || (st.Mode & Libc.S_IFMT) != Libc.S_IFCHR || Libc.Major(st.Rdev) != 1 || Libc.Minor(st.Rdev) != 3)
        {
            Libc.Close(fd);
            throw new RuntimeException("/dev/null in the container is not the 1:3 character device: refusing to use it to mask paths");
        }
        return fd;
    }

    /// <summary>Bind each path onto itself and remount it read-only (keeping nosuid/nodev/noexec locks).</summary>
    public static void ReadOnly(IReadOnlyList<string>? paths) =>
        ForEachExisting("linux.readonlyPaths", paths, (root, fd, path, field) =>
        {
            Libc.Check(Libc.Mount(SecurePath.FdPath(fd), SecurePath.FdPath(fd), null, Libc.MS_BIND | Libc.MS_REC, null), $"{field}: bind");
            RemountReadOnly(root, path, field);
        });

    /// <summary>Resolves each path inside the (new) root and hands over an O_PATH fd; paths the
    /// container does not have are skipped, as runc does.</summary>
    private static void ForEachExisting(string list, IReadOnlyList<string>? paths, Action<int, int, string, string> apply)
    {
        if (paths == null || paths.Count == 0)
            return;
        int root = Libc.Check(Libc.Open("/", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open /");
        try
        {
            for (int i = 0; i < paths.Count; i++)
            {
                var field = $"{list}[{i}] ({paths[i]})";
                int fd = SecurePath.TryOpen(root, paths[i]);
                if (fd == -1)
                {
                    if (Libc.LastErrno == Errnos.ENOENT) continue;
                    throw new SyscallException($"{field}: open", Libc.LastErrno);
                }
                try
                {
                    apply(root, fd, paths[i], field);
                }
                finally
                {
                    Libc.Close(fd);
                }
            }
        }
        finally
        {
            Libc.Close(root);
        }
    }

    public static void RemountReadOnly(int root, string path, string field)
    {
        int top = SecurePath.Open(root, path, field);
        try
        {
            ulong locked = Libc.Fstatfs(top, out var st) == 0
                ? (ulong)st.Flags & (Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC | Libc.MS_NOATIME | Libc.MS_NODIRATIME | Libc.MS_RELATIME)
                : 0;
            Libc.Check(Libc.Mount(null, SecurePath.FdPath(top), null, Libc.MS_BIND | Libc.MS_REMOUNT | Libc.MS_RDONLY | Libc.MS_REC | locked, null),
                $"{field}: remount read-only");
        }
        finally
        {
            Libc.Close(top);
        }
    }
}
