namespace Runtime.Cgroups;

/// <summary>How the host mounts cgroups.</summary>
public enum CgroupMode
{
    /// <summary>Only cgroup v1 hierarchies (one per controller or co-mounted group).</summary>
    V1,
    /// <summary>Only the cgroup2 unified hierarchy.</summary>
    V2,
    /// <summary>v1 controller hierarchies plus a cgroup2 mount (usually /sys/fs/cgroup/unified) for whatever is not bound to v1.</summary>
    Hybrid,
}

/// <summary>One mounted cgroup v1 hierarchy: its controllers ("cpu", "cpuacct"; "name=systemd" for a named one),
/// where it is mounted and which cgroup of the hierarchy that mount shows (mountinfo's root field).</summary>
public sealed record V1Hierarchy(string Name, IReadOnlyList<string> Controllers, string MountPoint, string Root);

/// <summary>
/// The host's cgroup layout, read from /proc/self/mountinfo: which v1 hierarchies are mounted where, and the
/// cgroup2 mount. One read of one small file; the first mount of each hierarchy wins (as runc), a cgroup2 mount
/// at /sys/fs/cgroup or /sys/fs/cgroup/unified is preferred over others (e.g. a container's own view).
/// </summary>
public sealed class CgroupLayout
{
    /// <summary>The v1 controllers the kernel can have; anything else in a cgroup mount's super options is a mount flag.</summary>
    private static readonly HashSet<string> KnownV1Controllers = new(StringComparer.Ordinal)
    {
        "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "perf_event",
        "net_prio", "hugetlb", "pids", "rdma", "misc", "debug",
    };

    public CgroupMode Mode { get; }
    public IReadOnlyList<V1Hierarchy> V1Hierarchies { get; }
    /// <summary>Where the cgroup2 hierarchy is mounted (null on a v1-only host).</summary>
    public string? UnifiedMountPoint { get; }
    /// <summary>The cgroup2 cgroup that mount shows ("/" unless it is a bind of a subtree or in a cgroup namespace).</summary>
    public string? UnifiedRoot { get; }

    private CgroupLayout(CgroupMode mode, IReadOnlyList<V1Hierarchy> v1, string? unifiedMount, string? unifiedRoot)
    {
        Mode = mode;
        V1Hierarchies = v1;
        UnifiedMountPoint = unifiedMount;
        UnifiedRoot = unifiedRoot;
    }

    /// <summary>The mounted v1 hierarchy carrying <paramref name="controller"/> ("memory", "name=systemd"), if any.</summary>
    public V1Hierarchy? V1For(string controller) =>
        V1Hierarchies.FirstOrDefault(h => h.Controllers.Contains(controller));

    public override string ToString() =>
        $"{Mode}: " + string.Join(", ", V1Hierarchies.Select(h => $"{h.Name} at {h.MountPoint}")) +
        (UnifiedMountPoint != null ? $"{(V1Hierarchies.Count > 0 ? ", " : "")}cgroup2 at {UnifiedMountPoint}" : "");

    public static CgroupLayout Detect() =>
        Parse(CgroupFile.Read("/proc/self/mountinfo"));

    /// <summary>Builds the layout from mountinfo text (see proc(5)): "id parent maj:min root mountpoint opts [tags] - fstype source superopts".</summary>
    public static CgroupLayout Parse(string mountinfo)
    {
        var v1 = new List<V1Hierarchy>();
        string? unifiedMount = null, unifiedRoot = null;
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            int sep = Array.IndexOf(fields, "-", 6);
            if (sep < 0 || sep + 3 >= fields.Length) continue;
            string fstype = fields[sep + 1];
            if (fstype != "cgroup" && fstype != "cgroup2") continue;
            string root = Unescape(fields[3]), mountPoint = Unescape(fields[4]);
            if (fstype == "cgroup2")
            {
                bool preferred = mountPoint is "/sys/fs/cgroup" or "/sys/fs/cgroup/unified";
                if (unifiedMount == null || (preferred && unifiedMount is not ("/sys/fs/cgroup" or "/sys/fs/cgroup/unified")))
                    (unifiedMount, unifiedRoot) = (mountPoint, root);
                continue;
            }
            var controllers = fields[sep + 3].Split(',')
                .Where(o => KnownV1Controllers.Contains(o) || o.StartsWith("name=", StringComparison.Ordinal))
                .ToArray();
            if (controllers.Length == 0) continue;
            if (v1.Any(h => h.Controllers.Intersect(controllers).Any())) continue; // a second mount of the same hierarchy
            v1.Add(new V1Hierarchy(string.Join(',', controllers), controllers, mountPoint, root));
        }

        bool v1Controllers = v1.Any(h => h.Controllers.Any(c => !c.StartsWith("name=", StringComparison.Ordinal)));
        if (!v1Controllers && unifiedMount == null)
            throw new RuntimeException("no cgroup filesystem is mounted (neither cgroup v1 controllers nor cgroup2 in /proc/self/mountinfo)");
        if (!v1Controllers)
            return new CgroupLayout(CgroupMode.V2, [], unifiedMount, unifiedRoot);
        return new CgroupLayout(unifiedMount != null ? CgroupMode.Hybrid : CgroupMode.V1, v1, unifiedMount, unifiedRoot);
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length &&
                IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
