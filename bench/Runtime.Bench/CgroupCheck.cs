namespace Runtime.Bench;

/// <summary>Whether a runtime did the cgroup work: reads the created container init's cgroups
/// (/proc/PID/cgroup) and the limits in force there, v1 (memory, pids hierarchies) or v2.</summary>
public static class CgroupCheck
{
    public static string Describe(int pid, bool limitsConfigured)
    {
        var paths = new Dictionary<string, string>();
        foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
        {
            var f = line.Split(':', 3);
            if (f.Length != 3) continue;
            foreach (var c in f[1].Split(',')) paths[c] = f[2];
        }
        string? memPath, memLimit, pidsPath, pidsLimit;
        if (paths.TryGetValue("memory", out memPath))
        {
            memLimit = Read($"/sys/fs/cgroup/memory{memPath}/memory.limit_in_bytes");
            pidsPath = paths.GetValueOrDefault("pids");
            pidsLimit = pidsPath == null ? null : Read($"/sys/fs/cgroup/pids{pidsPath}/pids.max");
        }
        else
        {
            memPath = pidsPath = paths.GetValueOrDefault("");
            memLimit = memPath == null ? null : Read($"/sys/fs/cgroup{memPath}/memory.max");
            pidsLimit = pidsPath == null ? null : Read($"/sys/fs/cgroup{pidsPath}/pids.max");
        }
        bool memOk = memLimit == Bundles.MemoryLimit.ToString(), pidsOk = pidsLimit == Bundles.PidsLimit.ToString();
        // A root cgroup has no limit files: "none".
        var where = $"memory cgroup {memPath ?? "?"}: limit {memLimit ?? "none"}; pids cgroup {pidsPath ?? "?"}: max {pidsLimit ?? "none"}";
        if (!limitsConfigured) return $"limits not configured; {where}";
        return memOk && pidsOk ? $"yes ({where})" : memOk || pidsOk ? $"partly ({where})" : $"**no** ({where})";
    }

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
