using Runtime.Linux;

namespace Runtime.Rootfs;

/// <summary>A mount's options split the way mount(2) and mount_setattr(2) need them.</summary>
internal sealed class MountOptions
{
    public ulong Flags;
    public ulong ClearFlags;
    public readonly List<ulong> Propagation = new();
    /// <summary>Recursive attributes (rro, rnosuid, …) applied with mount_setattr(AT_RECURSIVE).</summary>
    public ulong RecursiveSet;
    public ulong RecursiveClear;
    public readonly List<string> Data = new();
    /// <summary>runc's "tmpcopyup" extension (podman uses it): a tmpfs starts with a copy of what it covers.</summary>
    public bool TmpCopyUp;
    public bool IsBind => (Flags & Libc.MS_BIND) != 0;
    public bool IsRecursiveBind => IsBind && (Flags & Libc.MS_REC) != 0;

    // name -> (clear?, flag); runc's table (libcontainer/specconv mountFlags), which is mount(8)'s.
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagTable = new()
    {
        ["acl"] = (false, 1 << 16), ["async"] = (true, Libc.MS_SYNCHRONOUS), ["atime"] = (true, Libc.MS_NOATIME),
        ["bind"] = (false, Libc.MS_BIND), ["defaults"] = (false, 0), ["dev"] = (true, Libc.MS_NODEV),
        ["diratime"] = (true, Libc.MS_NODIRATIME), ["dirsync"] = (false, Libc.MS_DIRSYNC), ["exec"] = (true, Libc.MS_NOEXEC),
        ["iversion"] = (false, 1 << 23), ["lazytime"] = (false, Libc.MS_LAZYTIME), ["loud"] = (true, Libc.MS_SILENT),
        ["mand"] = (false, Libc.MS_MANDLOCK), ["noacl"] = (true, 1 << 16), ["noatime"] = (false, Libc.MS_NOATIME),
        ["nodev"] = (false, Libc.MS_NODEV), ["nodiratime"] = (false, Libc.MS_NODIRATIME), ["noexec"] = (false, Libc.MS_NOEXEC),
        ["noiversion"] = (true, 1 << 23), ["nolazytime"] = (true, Libc.MS_LAZYTIME), ["nomand"] = (true, Libc.MS_MANDLOCK),
        ["norelatime"] = (true, Libc.MS_RELATIME), ["nostrictatime"] = (true, Libc.MS_STRICTATIME),
        ["nosuid"] = (false, Libc.MS_NOSUID), ["nosymfollow"] = (false, Libc.MS_NOSYMFOLLOW),
        ["rbind"] = (false, Libc.MS_BIND | Libc.MS_REC), ["relatime"] = (false, Libc.MS_RELATIME),
        ["remount"] = (false, Libc.MS_REMOUNT), ["ro"] = (false, Libc.MS_RDONLY), ["rw"] = (true, Libc.MS_RDONLY),
        ["silent"] = (false, Libc.MS_SILENT), ["strictatime"] = (false, Libc.MS_STRICTATIME),
        ["suid"] = (true, Libc.MS_NOSUID), ["sync"] = (false, Libc.MS_SYNCHRONOUS), ["symfollow"] = (true, Libc.MS_NOSYMFOLLOW),
    };

    private static readonly Dictionary<string, ulong> PropagationTable = new()
    {
        ["private"] = Libc.MS_PRIVATE, ["shared"] = Libc.MS_SHARED, ["slave"] = Libc.MS_SLAVE,
        ["unbindable"] = Libc.MS_UNBINDABLE, ["rprivate"] = Libc.MS_PRIVATE | Libc.MS_REC,
        ["rshared"] = Libc.MS_SHARED | Libc.MS_REC, ["rslave"] = Libc.MS_SLAVE | Libc.MS_REC,
        ["runbindable"] = Libc.MS_UNBINDABLE | Libc.MS_REC,
    };

    // name -> (clear?, attr); the recursive forms runc 1.1+ accepts (mount_setattr).
    private static readonly Dictionary<string, (bool Clear, ulong Attr)> RecursiveTable = new()
    {
        ["rro"] = (false, Libc.MOUNT_ATTR_RDONLY), ["rrw"] = (true, Libc.MOUNT_ATTR_RDONLY),
        ["rnosuid"] = (false, Libc.MOUNT_ATTR_NOSUID), ["rsuid"] = (true, Libc.MOUNT_ATTR_NOSUID),
        ["rnodev"] = (false, Libc.MOUNT_ATTR_NODEV), ["rdev"] = (true, Libc.MOUNT_ATTR_NODEV),
        ["rnoexec"] = (false, Libc.MOUNT_ATTR_NOEXEC), ["rexec"] = (true, Libc.MOUNT_ATTR_NOEXEC),
        ["rnodiratime"] = (false, Libc.MOUNT_ATTR_NODIRATIME), ["rdiratime"] = (true, Libc.MOUNT_ATTR_NODIRATIME),
        ["rrelatime"] = (false, Libc.MOUNT_ATTR_RELATIME), ["rnorelatime"] = (true, Libc.MOUNT_ATTR_RELATIME),
        ["rnoatime"] = (false, Libc.MOUNT_ATTR_NOATIME), ["ratime"] = (true, Libc.MOUNT_ATTR_NOATIME),
        ["rstrictatime"] = (false, Libc.MOUNT_ATTR_STRICTATIME), ["rnostrictatime"] = (true, Libc.MOUNT_ATTR_STRICTATIME),
        ["rnosymfollow"] = (false, Libc.MOUNT_ATTR_NOSYMFOLLOW), ["rsymfollow"] = (true, Libc.MOUNT_ATTR_NOSYMFOLLOW),
    };

    /// <summary>Every option name we understand (features.mountOptions).</summary>
    public static IEnumerable<string> KnownNames => FlagTable.Keys.Concat(PropagationTable.Keys).Concat(RecursiveTable.Keys).Append("tmpcopyup").Order();

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        var m = new MountOptions();
        foreach (var o in options ?? Enumerable.Empty<string>())
        {
            if (o == "tmpcopyup")
                m.TmpCopyUp = true;
            else if (FlagTable.TryGetValue(o, out var f))
            {
                if (f.Clear) { m.Flags &= ~f.Flag; m.ClearFlags |= f.Flag; }
                else { m.Flags |= f.Flag; m.ClearFlags &= ~f.Flag; }
            }
            else if (PropagationTable.TryGetValue(o, out var p))
                m.Propagation.Add(p);
            else if (RecursiveTable.TryGetValue(o, out var r))
            {
                if (r.Attr == Libc.MOUNT_ATTR_RELATIME || (r.Attr & Libc.MOUNT_ATTR__ATIME) != 0)
                {
                    // atime modes are one field: setting one clears the others.
                    m.RecursiveClear |= Libc.MOUNT_ATTR__ATIME;
                    if (!r.Clear) m.RecursiveSet |= r.Attr;
                }
                else if (r.Clear) { m.RecursiveClear |= r.Attr; m.RecursiveSet &= ~r.Attr; }
                else { m.RecursiveSet |= r.Attr; m.RecursiveClear &= ~r.Attr; }
            }
            else
                m.Data.Add(o); // filesystem-specific (mode=755, size=65536k, newinstance, …)
        }
        return m;
    }

    public bool HasRecursiveAttrs => RecursiveSet != 0 || RecursiveClear != 0;

    public string? DataString => Data.Count == 0 ? null : string.Join(",", Data);
}
