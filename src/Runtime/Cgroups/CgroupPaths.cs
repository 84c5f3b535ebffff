namespace Runtime.Cgroups;

/// <summary>
/// Where a container's cgroup lives, resolved once at create and saved with the container's state so
/// later commands (pause, update, ps, delete) reopen the same directories without re-resolving:
/// one directory per mounted v1 hierarchy (keyed by its controllers, "cpu,cpuacct", "name=systemd") and the
/// cgroup2 directory. v1-only: Unified is null; pure v2: V1 is empty; hybrid: both.
/// </summary>
public sealed class CgroupPaths
{
    /// <summary>Saved in state.json as "v1" and "unified" (<see cref="State.ContainerRecordJson"/>).</summary>
    public Dictionary<string, string> V1 { get; set; } = new(StringComparer.Ordinal);
    public string? Unified { get; set; }

    /// <summary>Every directory, v1 ones first (each once: co-mounted controllers share one).</summary>
    public IEnumerable<string> AllDirs => V1.Values.Distinct(StringComparer.Ordinal).Concat(Unified is { } u ? [u] : []);

    /// <summary>
    /// Resolves linux.cgroupsPath for every mounted hierarchy. Absolute paths are taken from each mount's root.
    /// Relative ones are placed like runc does: under the runtime's own cgroup in each v1 hierarchy, and beside
    /// it (under its parent) in cgroup2, where a cgroup holding processes cannot also have controller-enabled children.
    /// No cgroupsPath means "/&lt;id&gt;".
    /// </summary>
    public static CgroupPaths Resolve(CgroupLayout layout, string? cgroupsPath, string id) =>
        Resolve(layout, cgroupsPath, id, () => CgroupFile.Read("/proc/self/cgroup"));

    internal static CgroupPaths Resolve(CgroupLayout layout, string? cgroupsPath, string id, Func<string> procSelfCgroup)
    {
        string inner = Clean(cgroupsPath ?? "/" + id);
        var paths = new CgroupPaths();
        Dictionary<string, string>? own = null;
        if (!inner.StartsWith('/')) own = ParseProcCgroup(procSelfCgroup());

        foreach (var h in layout.V1Hierarchies)
        {
            string dir;
            if (own == null) dir = Join(h.MountPoint, inner);
            else
            {
                var ownPath = h.Controllers.Select(c => own.GetValueOrDefault(c)).FirstOrDefault(p => p != null)
                    ?? throw new RuntimeException($"linux.cgroupsPath: \"{inner}\" is relative but /proc/self/cgroup has no entry for the {h.Name} hierarchy");
                dir = Join(Join(h.MountPoint, RelativeTo(ownPath, h.Root, h.Name)), inner);
            }
            paths.V1[h.Name] = dir;
        }

        if (layout.UnifiedMountPoint is { } mount)
        {
            if (own == null) paths.Unified = Join(mount, inner);
            else
            {
                var ownPath = own.GetValueOrDefault("")
                    ?? throw new RuntimeException($"linux.cgroupsPath: \"{inner}\" is relative but /proc/self/cgroup has no cgroup2 entry");
                var parent = Path.GetDirectoryName(ownPath.TrimEnd('/')) ?? "/";
                paths.Unified = Join(Join(mount, RelativeTo(parent, layout.UnifiedRoot ?? "/", "cgroup2")), inner);
            }
        }
        return paths;
    }

    /// <summary>/proc/self/cgroup: "hierarchy-id:controller,list:/path"; the cgroup2 line has an empty list (key "").</summary>
    internal static Dictionary<string, string> ParseProcCgroup(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[1].Length == 0) result[""] = parts[2];
            else
                foreach (var c in parts[1].Split(','))
                    result[c] = parts[2];
        }
        return result;
    }

    /// <summary>linux.cgroupsPath without "." and empty segments; ".." is refused rather than silently clamped.</summary>
    internal static string Clean(string path)
    {
        if (path.Length == 0) throw new RuntimeException("linux.cgroupsPath: must not be empty");
        if (path.Contains('\0')) throw new RuntimeException("linux.cgroupsPath: must not contain a NUL byte");
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
            throw new RuntimeException($"linux.cgroupsPath: \"{path}\" must not contain \"..\"");
        if (segments.Length == 0)
            throw new RuntimeException($"linux.cgroupsPath: \"{path}\" names the root cgroup; a container needs its own");
        var joined = string.Join('/', segments);
        return path.StartsWith('/') ? "/" + joined : joined;
    }

    private static string RelativeTo(string cgroup, string mountRoot, string hierarchy) =>
        TryRelativeTo(cgroup, mountRoot)
        ?? throw new RuntimeException($"linux.cgroupsPath: the runtime's own {hierarchy} cgroup {cgroup} is outside what is mounted ({mountRoot})");

    /// <summary>A cgroup's path below a mount whose root is <paramref name="mountRoot"/>, or null when the mount doesn't show it.</summary>
    internal static string? TryRelativeTo(string cgroup, string mountRoot)
    {
        if (mountRoot == "/") return cgroup;
        if (cgroup == mountRoot) return "/";
        if (cgroup.StartsWith(mountRoot + "/", StringComparison.Ordinal)) return cgroup[mountRoot.Length..];
        return null;
    }

    private static string Join(string dir, string inner) => dir.TrimEnd('/') + "/" + inner.TrimStart('/');
}
