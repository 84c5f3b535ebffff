using Runtime.Linux;

namespace Runtime.Rootfs;

/// <summary>
/// The cgroup filesystem inside the container. With a cgroup namespace the kernel shows the
/// container's cgroup as the root, so the real filesystems are mounted; without one the container
/// gets bind mounts of its own cgroup directories only. Read-only unless the config says "rw"
/// and there is a cgroup namespace (CVE-2023-25809).
/// </summary>
internal static class CgroupMount
{
    public static void Apply(int rootFd, string destination, MountOptions opts, bool cgroupNs, string field)
    {
        ulong flags = (opts.Flags & (Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC | Libc.MS_RELATIME | Libc.MS_RDONLY));
        if (!cgroupNs)
            flags |= Libc.MS_RDONLY;
        var hierarchies = HostCgroups.Read();
        int dest = SecurePath.MkdirAll(rootFd, destination, 0x1ed, field);
        try
        {
            if (hierarchies.Count == 1 && hierarchies[0].FsType == "cgroup2")
            {
                MountHierarchy(rootFd, destination, hierarchies[0], dest, flags, cgroupNs, field);
                return;
            }
            // v1 or hybrid: a tmpfs holding one directory per hierarchy, like /sys/fs/cgroup on the host.
            if (Libc.Mount("tmpfs", SecurePath.FdPath(dest), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, "mode=755") == -1)
                throw new SyscallException($"{field}: mount tmpfs for the cgroup hierarchies", Libc.LastErrno);
        }
        finally
        {
            Libc.Close(dest);
        }
        foreach (var h in hierarchies)
        {
            int sub = SecurePath.MkdirAll(rootFd, $"{destination}/{h.Name}", 0x1ed, field);
            try
            {
                MountHierarchy(rootFd, $"{destination}/{h.Name}", h, sub, flags, cgroupNs, field);
            }
            finally
            {
                Libc.Close(sub);
            }
        }
        if ((flags & Libc.MS_RDONLY) != 0)
        {
            int top = SecurePath.Open(rootFd, destination, field);
            try
            {
                Libc.Check(Libc.Mount(null, SecurePath.FdPath(top), null,
                    Libc.MS_BIND | Libc.MS_REMOUNT | Libc.MS_RDONLY | Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, null),
                    $"{field}: remount {destination} read-only");
            }
            finally
            {
                Libc.Close(top);
            }
        }
    }

    private static void MountHierarchy(int rootFd, string containerPath, HostCgroups.Hierarchy h, int target, ulong flags, bool cgroupNs, string field)
    {
        var path = SecurePath.FdPath(target);
        if (cgroupNs)
        {
            Libc.Check(Libc.Mount(h.FsType, path, h.FsType, flags, h.FsType == "cgroup2" ? null : h.Options),
                $"{field}: mount {h.FsType} {h.Name}");
            return;
        }
        var source = h.MountPoint + h.OwnPath;
        Libc.Check(Libc.Mount(source, path, null, Libc.MS_BIND | Libc.MS_REC, null), $"{field}: bind {source}");
        // Resolve again: the old fd still names the directory underneath the new mount.
        int top = SecurePath.Open(rootFd, containerPath, field);
        try
        {
            Libc.Check(Libc.Mount(null, SecurePath.FdPath(top), null, Libc.MS_BIND | Libc.MS_REMOUNT | flags, null),
                $"{field}: remount {h.Name} read-only");
        }
        finally
        {
            Libc.Close(top);
        }
    }
}

/// <summary>This process's cgroup hierarchies (the init has joined the container's cgroup): each mount
/// point from the cgroup layout, and the path of our cgroup inside that mount.</summary>
internal static class HostCgroups
{
    public sealed record Hierarchy(string Name, string FsType, string MountPoint, string Options, string OwnPath);

    public static List<Hierarchy> Read()
    {
        var layout = Cgroups.CgroupLayout.Detect();
        var own = Cgroups.CgroupPaths.ParseProcCgroup(File.ReadAllText("/proc/self/cgroup"));
        var list = new List<Hierarchy>();
        foreach (var h in layout.V1Hierarchies)
            if (h.Controllers.Count > 0 && own.TryGetValue(h.Controllers[0], out var path))
                list.Add(new Hierarchy(Path.GetFileName(h.MountPoint), "cgroup", h.MountPoint, string.Join(",", h.Controllers), Below(h.Root, path)));
        if (layout.UnifiedMountPoint != null && own.TryGetValue("", out var p2))
            list.Add(new Hierarchy(Path.GetFileName(layout.UnifiedMountPoint), "cgroup2", layout.UnifiedMountPoint, "", Below(layout.UnifiedRoot ?? "/", p2)));
        return list;
    }

    /// <summary>A cgroup path relative to what the mount shows (its root field in mountinfo).</summary>
    private static string Below(string mountRoot, string path) =>
        mountRoot == "/" ? path : path.StartsWith(mountRoot, StringComparison.Ordinal) ? path[mountRoot.Length..] : path;
}
