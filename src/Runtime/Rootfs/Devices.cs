using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Rootfs;

/// <summary>/dev inside the container: the default devices every container gets, linux.devices, and
/// the standard symlinks. In a user namespace mknod is not allowed: the host's node is bind-mounted.</summary>
internal static class Devices
{
    public static readonly IReadOnlyList<LinuxDevice> Defaults = new LinuxDevice[]
    {
        new() { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = 0x1b6 },
        new() { Path = "/dev/zero", Type = "c", Major = 1, Minor = 5, FileMode = 0x1b6 },
        new() { Path = "/dev/full", Type = "c", Major = 1, Minor = 7, FileMode = 0x1b6 },
        new() { Path = "/dev/random", Type = "c", Major = 1, Minor = 8, FileMode = 0x1b6 },
        new() { Path = "/dev/urandom", Type = "c", Major = 1, Minor = 9, FileMode = 0x1b6 },
        new() { Path = "/dev/tty", Type = "c", Major = 5, Minor = 0, FileMode = 0x1b6 },
    };

    public static void Create(int rootFd, IReadOnlyList<LinuxDevice>? devices, bool inUserNs)
    {
        var all = new List<(LinuxDevice Dev, string Field)>();
        foreach (var d in Defaults)
            all.Add((d, $"default device {d.Path}"));
        for (int i = 0; i < (devices?.Count ?? 0); i++)
            all.Add((devices![i], $"linux.devices[{i}] ({devices[i].Path})"));
        // A device listed in the config replaces the default of the same path.
        var seen = new HashSet<string>();
        for (int i = all.Count - 1; i >= 0; i--)
            if (!seen.Add(all[i].Dev.Path!))
                all.RemoveAt(i);
        foreach (var (dev, field) in all)
            CreateOne(rootFd, dev, inUserNs, field);
        Symlinks(rootFd);
    }

    private static void CreateOne(int rootFd, LinuxDevice dev, bool inUserNs, string field)
    {
        var path = "/" + dev.Path!.TrimStart('/');
        if (inUserNs)
        {
            int target = SecurePath.CreateFile(rootFd, path, field);
            try
            {
                Libc.Check(Libc.Mount(path, SecurePath.FdPath(target), null, Libc.MS_BIND, null), $"{field}: bind mount from the host");
            }
            finally
            {
                Libc.Close(target);
            }
            return;
        }
        uint type = dev.Type switch
        {
            "c" or "u" => Libc.S_IFCHR,
            "b" => Libc.S_IFBLK,
            "p" => Libc.S_IFIFO,
            _ => throw new RuntimeException($"{field}: unknown device type \"{dev.Type}\""),
        };
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        int dfd = SecurePath.MkdirAll(rootFd, dir, 0x1ed, field);
        try
        {
            // Replace whatever the image put there (a file or symlink must not redirect the node).
            Libc.UnlinkAt(dfd, name, 0);
            uint mode = (dev.FileMode ?? 0x1b6) & 0xfff;
            ulong rdev = type == Libc.S_IFIFO ? 0 : Libc.Makedev((ulong)(dev.Major ?? 0), (ulong)(dev.Minor ?? 0)); // validation requires both for c, b, u
            Libc.Check(Libc.MknodAt(dfd, name, type | mode, rdev), $"{field}: mknod {path}");
            int fd = Libc.Check(Libc.OpenAt(dfd, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0), $"{field}: open {path}");
            try
            {
                // fchownat through the O_PATH fd; the umask must not narrow the requested mode.
                Libc.Check(Libc.FchownAt(fd, "", dev.Uid ?? 0, dev.Gid ?? 0, Libc.AT_EMPTY_PATH), $"{field}: chown {path}");
                Libc.Check(Libc.Chmod(SecurePath.FdPath(fd), mode), $"{field}: chmod {path}");
            }
            finally
            {
                Libc.Close(fd);
            }
        }
        finally
        {
            Libc.Close(dfd);
        }
    }

    private static void Symlinks(int rootFd)
    {
        int dev = SecurePath.MkdirAll(rootFd, "/dev", 0x1ed, "/dev");
        try
        {
            var links = new List<(string Target, string Name)>
            {
                ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
                ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"),
            };
            if (File.Exists("/proc/kcore"))
                links.Add(("/proc/kcore", "core"));
            foreach (var (target, name) in links)
            {
                if (name == "ptmx")
                    Libc.UnlinkAt(dev, name, 0); // /dev/ptmx must lead to the container's own devpts
                if (Libc.SymlinkAt(target, dev, name) == -1 && Libc.LastErrno != Errnos.EEXIST)
                    throw new SyscallException($"symlink /dev/{name} -> {target}", Libc.LastErrno);
            }
        }
        finally
        {
            Libc.Close(dev);
        }
    }
}
