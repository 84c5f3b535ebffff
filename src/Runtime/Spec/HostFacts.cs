using Runtime.Linux;

namespace Runtime.Spec;

/// <summary>
/// What this host offers, for the checks and the features document that depend on it. Each fact is read
/// once per process and only when asked (a plain `create` touches none of them unless the config needs
/// it). Tests derive from this class to describe another host.
/// </summary>
public class HostFacts
{
    public static HostFacts Current { get; } = new();

    private bool? _appArmor, _seLinux, _resctrl, _cgroup2;

    /// <summary>AppArmor is active (/sys/module/apparmor/parameters/enabled is "Y").</summary>
    public virtual bool AppArmorEnabled => _appArmor ??= FirstByte("/sys/module/apparmor/parameters/enabled") == 'Y';

    /// <summary>SELinux is active (selinuxfs mounted, as go-selinux decides).</summary>
    public virtual bool SELinuxEnabled => _seLinux ??= File.Exists("/sys/fs/selinux/enforce");

    /// <summary>A resctrl filesystem (Intel RDT) is mounted where runc looks first.</summary>
    public virtual bool ResctrlMounted => _resctrl ??= File.Exists("/sys/fs/resctrl/schemata");

    /// <summary>/sys/fs/cgroup is a cgroup2 mount (pure v2, not this hybrid layout).</summary>
    public virtual bool CgroupV2Unified => _cgroup2 ??= Libc.Statfs("/sys/fs/cgroup", out var st) == 0 && st.Type == Cgroup2SuperMagic;

    private const long Cgroup2SuperMagic = 0x63677270;

    /// <summary>This kernel has namespaces of this kind (/proc/self/ns/&lt;procName&gt; exists).</summary>
    public virtual bool HasNamespaceKind(string procName) => File.Exists("/proc/self/ns/" + procName);

    /// <summary>Whether <paramref name="path"/> is the namespace this process is in (runc's isHostNetNS);
    /// <paramref name="error"/> says why the path could not be examined.</summary>
    public virtual bool IsCurrentNamespace(string path, string procName, out string? error)
    {
        error = null;
        var ours = "/proc/self/ns/" + procName;
        if (Libc.FstatAt(Libc.AT_FDCWD, ours, out var a, 0) != 0)
        {
            error = $"stat {ours}: {Errnos.Describe(Libc.LastErrno)}";
            return false;
        }
        if (Libc.FstatAt(Libc.AT_FDCWD, path, out var b, 0) != 0)
        {
            error = $"stat {path}: {Errnos.Describe(Libc.LastErrno)}";
            return false;
        }
        return a.Dev == b.Dev && a.Ino == b.Ino;
    }

    private static int FirstByte(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            return f.ReadByte();
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
