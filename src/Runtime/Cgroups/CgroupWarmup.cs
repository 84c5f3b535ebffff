namespace Runtime.Cgroups;

/// <summary>
/// Moving a process into a cgroup (a write to cgroup.procs) takes the kernel's global
/// cgroup_threadgroup_rwsem for writing, and when nobody did so lately that first waits out a full RCU
/// grace period: 10–20 ms here, the largest stage of a cold `create` (runc and crun pay it too). Any
/// cgroup.procs write starts that wait, and writers during it or shortly after it do not wait again.
/// So `create` and `exec` start it first thing, on a background thread, by "moving" the runtime into the
/// cgroup it is already in (a no-op for membership); the grace period then runs while we load the
/// config and spawn the init instead of after. Best effort: any failure only means no head start.
/// </summary>
internal static class CgroupWarmup
{
    public static void Begin(CgroupLayout layout)
    {
        string? procs;
        try
        {
            procs = OwnProcsFile(layout, CgroupPaths.ParseProcCgroup(CgroupFile.Read("/proc/self/cgroup")));
        }
        catch (Exception e) when (e is RuntimeException or IOException)
        {
            return;
        }
        if (procs == null)
            return;
        var pid = CgroupFile.Num(Environment.ProcessId);
        new Thread(() => CgroupFile.TryWrite(procs, pid), 64 * 1024) { IsBackground = true, Name = "cgroup warm-up" }.Start();
    }

    /// <summary>cgroup.procs of our own cgroup in one mounted hierarchy (cgroup2 preferred), or null.</summary>
    internal static string? OwnProcsFile(CgroupLayout layout, Dictionary<string, string> own)
    {
        if (layout.UnifiedMountPoint is { } mount && own.TryGetValue("", out var path))
            return Under(mount, layout.UnifiedRoot ?? "/", path);
        foreach (var h in layout.V1Hierarchies)
            foreach (var c in h.Controllers)
                if (own.TryGetValue(c, out var p))
                    return Under(h.MountPoint, h.Root, p);
        return null;
    }

    private static string? Under(string mountPoint, string mountRoot, string cgroup) =>
        CgroupPaths.TryRelativeTo(cgroup, mountRoot) is { } relative
            ? mountPoint.TrimEnd('/') + relative.TrimEnd('/') + "/cgroup.procs"
            : null; // our cgroup is not visible through this mount
}
