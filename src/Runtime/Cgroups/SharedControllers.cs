using Runtime.Spec;

namespace Runtime.Cgroups;

/// <summary>Resource writes that are the same in v1 and v2 but for a file suffix.</summary>
internal static class SharedControllers
{
    private const string R = "linux.resources";

    /// <summary>The kernel's internal ENOTSUPP, which some cgroup files leak to userspace ("Unknown error 524").</summary>
    public const int ENOTSUPP = 524;

    /// <summary>memory.checkBeforeUpdate: refuse a limit at or below what the container already uses (the kernel
    /// would otherwise reclaim or OOM-kill to get there).</summary>
    public static void CheckMemoryUsage(long? limit, long? swap, ulong usage)
    {
        if (swap is > 0 && (ulong)swap.Value <= usage)
            throw new RuntimeException($"{R}.memory.swap: rejecting memory+swap limit {swap} <= usage {usage} (checkBeforeUpdate)");
        if (limit is > 0 && (ulong)limit.Value <= usage)
            throw new RuntimeException($"{R}.memory.limit: rejecting memory limit {limit} <= usage {usage} (checkBeforeUpdate)");
    }

    /// <summary>hugetlb.&lt;size&gt;&lt;suffix&gt;, and the reservation limit (.rsvd) too where the kernel has it
    /// (5.7+), so memory reserved by mmap but not yet touched counts as well.</summary>
    public static void SetHugepages(string dir, IReadOnlyList<LinuxHugepageLimit> limits, string suffix)
    {
        for (int i = 0; i < limits.Count; i++)
        {
            string field = $"{R}.hugepageLimits[{i}]";
            var size = Conversions.HugePageSize(limits[i].PageSize, field);
            var value = CgroupFile.Num(limits[i].Limit);
            var path = Path.Combine(dir, $"hugetlb.{size}{suffix}");
            int errno = CgroupFile.TryWrite(path, value);
            if (errno == Linux.Errnos.ENOENT)
                throw new RuntimeException($"{field}.pageSize: this host has no {size} huge pages (it has: " +
                                           $"{string.Join(", ", Conversions.HostHugePageSizes())}; no {path})");
            if (errno != 0) throw CgroupFile.WriteError($"{field}.limit", path, errno);
            var rsvd = Path.Combine(dir, $"hugetlb.{size}.rsvd{suffix}");
            errno = CgroupFile.TryWrite(rsvd, value);
            if (errno != 0 && errno != Linux.Errnos.ENOENT) throw CgroupFile.WriteError($"{field}.limit", rsvd, errno);
        }
    }

    /// <summary>rdma.max: "&lt;device&gt; hca_handle=N hca_object=M", one write per device.</summary>
    public static void SetRdma(string dir, IReadOnlyDictionary<string, LinuxRdma> rdma)
    {
        var path = Path.Combine(dir, "rdma.max");
        foreach (var (device, limits) in rdma.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string field = $"{R}.rdma[\"{device}\"]";
            if (device.Length == 0 || device.Any(c => c is ' ' or '\n' or '\t'))
                throw new RuntimeException($"{field}: \"{device}\" is not an RDMA device name");
            var command = device;
            if (limits.HcaHandles is { } handles) command += $" hca_handle={handles}";
            if (limits.HcaObjects is { } objects) command += $" hca_object={objects}";
            if (command == device) continue; // nothing to limit
            CgroupFile.Write(field, path, command);
        }
    }
}
