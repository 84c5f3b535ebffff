using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Rootfs;

/// <summary>Performs one entry of config.json's mounts[] inside the rootfs.</summary>
internal sealed class MountEntry(int rootFd, string bundle, Mount mount, string field, string? mountLabel = null, bool selinuxEnabled = false)
{
    private const ulong ModeFlags = Libc.MS_RDONLY | Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC | Libc.MS_NOATIME |
        Libc.MS_NODIRATIME | Libc.MS_RELATIME | Libc.MS_STRICTATIME | Libc.MS_NOSYMFOLLOW;

    public string Destination { get; } = "/" + (mount.Destination ?? "").TrimStart('/');

    public void Apply(bool newNetNs, bool cgroupNs)
    {
        var opts = MountOptions.Parse(mount.Options);
        var type = mount.Type ?? "";
        if (type == "bind")
            opts.Flags |= Libc.MS_BIND;
        if (type == "cgroup" || type == "cgroup2")
        {
            CgroupMount.Apply(rootFd, Destination, opts, cgroupNs, field);
            return;
        }

        string? source = mount.Source;
        int target;
        if (opts.IsBind)
        {
            source = ResolveBindSource(source);
            target = Directory.Exists(source) || !File.Exists(source)
                ? SecurePath.MkdirAll(rootFd, Destination, 0x1ed, field)
                : SecurePath.CreateFile(rootFd, Destination, field);
        }
        else
            target = SecurePath.MkdirAll(rootFd, Destination, 0x1ed, field);

        try
        {
            if (opts.IsBind)
                BindMount(source!, target, opts);
            else
                NewMount(source, type, target, opts, newNetNs);
        }
        finally
        {
            Libc.Close(target);
        }
        ApplyPropagationAndAttrs(opts);
    }

    private string ResolveBindSource(string? source)
    {
        if (string.IsNullOrEmpty(source))
            throw new RuntimeException($"{field}: a bind mount needs a source");
        var path = Path.IsPathRooted(source) ? source : Path.Combine(bundle, source);
        if (!Path.Exists(path))
            throw new RuntimeException($"{field}: bind source {path} does not exist");
        return path;
    }

    private void BindMount(string source, int target, MountOptions opts)
    {
        ulong flags = Libc.MS_BIND | (opts.Flags & Libc.MS_REC);
        if (Libc.Mount(source, SecurePath.FdPath(target), null, flags, null) == -1)
            throw new SyscallException($"{field}: bind mount {source}", Libc.LastErrno);
        // A bind mount ignores other flags: they take effect through a remount of the new mount.
        ulong mode = opts.Flags & ModeFlags;
        if (mode != 0)
            Remount(mode, opts);
    }

    /// <summary>Bind remount with new mode flags, keeping the flags the kernel locked (in a user
    /// namespace a remount may not clear nosuid/nodev/noexec/atime flags of the source).</summary>
    private void Remount(ulong mode, MountOptions opts)
    {
        int top = SecurePath.Open(rootFd, Destination, field);
        try
        {
            var fdPath = SecurePath.FdPath(top);
            if (Libc.Mount(null, fdPath, null, Libc.MS_BIND | Libc.MS_REMOUNT | mode, null) == 0)
                return;
            int errno = Libc.LastErrno;
            if (errno == Errnos.EPERM && Libc.Fstatfs(top, out var st) == 0)
            {
                ulong locked = (ulong)st.Flags & (Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC | Libc.MS_NOATIME |
                                                   Libc.MS_NODIRATIME | Libc.MS_RELATIME | Libc.MS_RDONLY);
                if (Libc.Mount(null, fdPath, null, Libc.MS_BIND | Libc.MS_REMOUNT | mode | (locked & ~opts.ClearFlags), null) == 0)
                    return;
                errno = Libc.LastErrno;
            }
            throw new SyscallException($"{field}: remount {Destination} with its options", errno);
        }
        finally
        {
            Libc.Close(top);
        }
    }

    private void NewMount(string? source, string type, int target, MountOptions opts, bool newNetNs)
    {
        ulong flags = opts.Flags & ~(Libc.MS_BIND | Libc.MS_REC);
        // linux.mountLabel as context= where the filesystem takes one (ignored without SELinux).
        var data = type is "proc" or "sysfs" ? opts.DataString : Security.SeLinux.FormatMountLabel(opts.DataString, mountLabel, selinuxEnabled);
        if (Libc.Mount(string.IsNullOrEmpty(source) ? type : source, SecurePath.FdPath(target), type, flags, data) == 0)
        {
            if (opts.TmpCopyUp && type == "tmpfs")
                CopyUp(target);
            return;
        }
        int errno = Libc.LastErrno;
        // sysfs can only be mounted by the owner of the network namespace: without a new one (or in a
        // user namespace), bind the host's /sys read-only instead, as runc does.
        if (type == "sysfs" && errno == Errnos.EPERM && !newNetNs)
        {
            if (Libc.Mount("/sys", SecurePath.FdPath(target), null, Libc.MS_BIND | Libc.MS_REC, null) == 0)
            {
                Remount(Libc.MS_RDONLY | Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, opts);
                return;
            }
            errno = Libc.LastErrno;
        }
        throw new SyscallException($"{field}: mount {type}", errno);
    }

    /// <summary>tmpcopyup: <paramref name="covered"/> still names the directory under the new tmpfs;
    /// copy its tree (files, directories, symlinks; modes and owners) into the tmpfs.</summary>
    private void CopyUp(int covered)
    {
        int top = SecurePath.Open(rootFd, Destination, field, Libc.O_DIRECTORY);
        try
        {
            TreeCopy.Copy(SecurePath.FdPath(covered), SecurePath.FdPath(top), $"{field}: tmpcopyup");
        }
        finally
        {
            Libc.Close(top);
        }
    }

    private void ApplyPropagationAndAttrs(MountOptions opts)
    {
        if (opts.Propagation.Count == 0 && !opts.HasRecursiveAttrs)
            return;
        int top = SecurePath.Open(rootFd, Destination, field);
        try
        {
            foreach (var p in opts.Propagation)
                if (Libc.Mount(null, SecurePath.FdPath(top), null, p, null) == -1)
                    throw new SyscallException($"{field}: set propagation of {Destination}", Libc.LastErrno);
            if (opts.HasRecursiveAttrs)
            {
                var attr = new Libc.MountAttr { AttrSet = opts.RecursiveSet, AttrClr = opts.RecursiveClear };
                if (Libc.MountSetattr(top, "", (uint)Libc.AT_EMPTY_PATH | Libc.AT_RECURSIVE, attr) == -1)
                    throw new SyscallException($"{field}: mount_setattr (recursive options) on {Destination}", Libc.LastErrno);
            }
        }
        finally
        {
            Libc.Close(top);
        }
    }
}
