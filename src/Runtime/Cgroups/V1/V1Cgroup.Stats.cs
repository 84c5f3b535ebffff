using System.Globalization;

namespace Runtime.Cgroups.V1;

// Statistics from v1 files, mapped the way runc's fs driver maps them.
internal sealed partial class V1Cgroup
{
    /// <summary>USER_HZ: cpuacct.stat counts in clock ticks, which Linux fixes at 100 per second for userspace.</summary>
    private const ulong ClockTicks = 100;
    private const ulong NanosPerSecond = 1_000_000_000;

    public void CollectStats(string controller, CgroupStats stats)
    {
        var dir = Dir(controller);
        if (!Directory.Exists(dir)) return;
        switch (controller)
        {
            case "cpuacct": CpuacctStats(dir, stats.Cpu.Usage); break;
            case "cpu": CpuThrottling(dir, stats.Cpu.Throttling); break;
            case "cpuset": CpusetStats(dir, stats.CpuSet); break;
            case "memory": MemoryStats(dir, stats.Memory); break;
            case "pids": PidsStats(dir, stats.Pids); break;
            case "blkio": BlkioStats(dir, stats.Blkio); break;
            case "hugetlb": HugetlbStats(dir, stats.Hugetlb); break;
        }
    }

    private static void CpuacctStats(string dir, CpuUsage usage)
    {
        usage.Total = CgroupFile.TryReadUInt(Path.Combine(dir, "cpuacct.usage")) ?? 0;
        if (CgroupFile.TryRead(Path.Combine(dir, "cpuacct.usage_percpu")) is { } percpu)
            usage.PerCpu = percpu.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(CgroupFile.ParseUInt).ToList();
        var ticks = CgroupFile.ReadKeyValues(Path.Combine(dir, "cpuacct.stat"));
        usage.User = ticks.GetValueOrDefault("user") * NanosPerSecond / ClockTicks;
        usage.Kernel = ticks.GetValueOrDefault("system") * NanosPerSecond / ClockTicks;
        // "cpu user system" then one line per CPU, in nanoseconds.
        if (CgroupFile.TryRead(Path.Combine(dir, "cpuacct.usage_all")) is { } all)
        {
            List<ulong> user = [], kernel = [];
            foreach (var line in all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 3) continue;
                user.Add(CgroupFile.ParseUInt(f[1]));
                kernel.Add(CgroupFile.ParseUInt(f[2]));
            }
            usage.PerCpuUser = user.Count > 0 ? user : null;
            usage.PerCpuKernel = kernel.Count > 0 ? kernel : null;
        }
        if (usage.PerCpu is { Count: 0 }) usage.PerCpu = null;
    }

    private static void CpuThrottling(string dir, Throttling t)
    {
        var stat = CgroupFile.ReadKeyValues(Path.Combine(dir, "cpu.stat"));
        t.Periods = stat.GetValueOrDefault("nr_periods");
        t.ThrottledPeriods = stat.GetValueOrDefault("nr_throttled");
        t.ThrottledTime = stat.GetValueOrDefault("throttled_time");
    }

    private static void CpusetStats(string dir, CpusetStats s)
    {
        s.Cpus = ParseList(CgroupFile.TryRead(Path.Combine(dir, "cpuset.cpus")));
        s.Mems = ParseList(CgroupFile.TryRead(Path.Combine(dir, "cpuset.mems")));
        ulong U(string file) => CgroupFile.TryReadUInt(Path.Combine(dir, "cpuset." + file)) ?? 0;
        s.CpuExclusive = U("cpu_exclusive");
        s.MemHardwall = U("mem_hardwall");
        s.MemExclusive = U("mem_exclusive");
        s.MemoryMigrate = U("memory_migrate");
        s.MemorySpreadPage = U("memory_spread_page");
        s.MemorySpreadSlab = U("memory_spread_slab");
        s.MemoryPressure = U("memory_pressure");
        s.SchedLoadBalance = U("sched_load_balance");
        s.SchedRelaxDomainLevel = CgroupFile.TryRead(Path.Combine(dir, "cpuset.sched_relax_domain_level")) is { } level
            ? long.Parse(level.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>"0-3,8,10-11" → [0, 1, 2, 3, 8, 10, 11]; null when empty.</summary>
    internal static List<ushort>? ParseList(string? text)
    {
        var result = new List<ushort>();
        foreach (var part in (text ?? "").Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            ushort from = ushort.Parse(range[0], CultureInfo.InvariantCulture);
            ushort to = range.Length > 1 ? ushort.Parse(range[1], CultureInfo.InvariantCulture) : from;
            for (int i = from; i <= to; i++) result.Add((ushort)i);
        }
        return result.Count > 0 ? result : null;
    }

    private static void MemoryStats(string dir, MemoryStats s)
    {
        var raw = CgroupFile.ReadKeyValues(Path.Combine(dir, "memory.stat"));
        s.Raw = raw.Count > 0 ? raw : null;
        s.Cache = raw.GetValueOrDefault("cache");
        s.Usage = MemoryEntry(dir, "memory");
        s.Swap = MemoryEntry(dir, "memory.memsw");
        s.Kernel = MemoryEntry(dir, "memory.kmem");
        s.KernelTcp = MemoryEntry(dir, "memory.kmem.tcp");
    }

    /// <summary>usage/max/failcnt/limit of one v1 memory counter; all zero where the kernel lacks it (no swap accounting, no kmem).</summary>
    private static MemoryEntry MemoryEntry(string dir, string prefix)
    {
        ulong? U(string suffix) => CgroupFile.TryReadUInt(Path.Combine(dir, prefix + suffix));
        return new MemoryEntry
        {
            Usage = U(".usage_in_bytes") ?? 0,
            Max = U(".max_usage_in_bytes") ?? 0,
            Failcnt = U(".failcnt") ?? 0,
            Limit = U(".limit_in_bytes") ?? 0,
        };
    }

    private static void PidsStats(string dir, PidsStats s)
    {
        s.Current = CgroupFile.TryReadUInt(Path.Combine(dir, "pids.current")) ?? 0;
        var max = CgroupFile.TryReadUInt(Path.Combine(dir, "pids.max")) ?? 0;
        s.Limit = max == ulong.MaxValue ? 0 : max;
    }

    /// <summary>
    /// runc's order of sources: BFQ's debug files, BFQ's, CFQ's, the throttle layer's recursive ones, then its
    /// flat ones; the first group whose first file has data wins.
    /// </summary>
    private static void BlkioStats(string dir, BlkioStats s)
    {
        (string file, Action<List<BlkioEntry>> set)[][] groups =
        [
            [
                ("blkio.bfq.sectors_recursive", l => s.SectorsRecursive = l),
                ("blkio.bfq.io_service_time_recursive", l => s.IoServiceTimeRecursive = l),
                ("blkio.bfq.io_wait_time_recursive", l => s.IoWaitTimeRecursive = l),
                ("blkio.bfq.io_merged_recursive", l => s.IoMergedRecursive = l),
                ("blkio.bfq.io_queued_recursive", l => s.IoQueuedRecursive = l),
                ("blkio.bfq.time_recursive", l => s.IoTimeRecursive = l),
                ("blkio.bfq.io_serviced_recursive", l => s.IoServicedRecursive = l),
                ("blkio.bfq.io_service_bytes_recursive", l => s.IoServiceBytesRecursive = l),
            ],
            [
                ("blkio.bfq.io_serviced_recursive", l => s.IoServicedRecursive = l),
                ("blkio.bfq.io_service_bytes_recursive", l => s.IoServiceBytesRecursive = l),
            ],
            [
                ("blkio.sectors_recursive", l => s.SectorsRecursive = l),
                ("blkio.io_service_time_recursive", l => s.IoServiceTimeRecursive = l),
                ("blkio.io_wait_time_recursive", l => s.IoWaitTimeRecursive = l),
                ("blkio.io_merged_recursive", l => s.IoMergedRecursive = l),
                ("blkio.io_queued_recursive", l => s.IoQueuedRecursive = l),
                ("blkio.time_recursive", l => s.IoTimeRecursive = l),
                ("blkio.io_serviced_recursive", l => s.IoServicedRecursive = l),
                ("blkio.io_service_bytes_recursive", l => s.IoServiceBytesRecursive = l),
            ],
            [
                ("blkio.throttle.io_serviced_recursive", l => s.IoServicedRecursive = l),
                ("blkio.throttle.io_service_bytes_recursive", l => s.IoServiceBytesRecursive = l),
            ],
            [
                ("blkio.throttle.io_serviced", l => s.IoServicedRecursive = l),
                ("blkio.throttle.io_service_bytes", l => s.IoServiceBytesRecursive = l),
            ],
        ];
        foreach (var group in groups)
        {
            var first = ParseBlkio(Path.Combine(dir, group[0].file));
            if (first == null) continue;
            group[0].set(first);
            foreach (var (file, set) in group.Skip(1))
                if (ParseBlkio(Path.Combine(dir, file)) is { } entries) set(entries);
            return;
        }
    }

    /// <summary>"8:0 Read 1282048" or "8:0 6792" lines ("Total N" skipped); null when missing or empty.</summary>
    private static List<BlkioEntry>? ParseBlkio(string path)
    {
        if (CgroupFile.TryRead(path) is not { } text) return null;
        var entries = new List<BlkioEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3) continue;
            entries.Add(new BlkioEntry
            {
                Major = CgroupFile.ParseUInt(f[0]),
                Minor = CgroupFile.ParseUInt(f[1]),
                Op = f.Length >= 4 ? f[2] : null,
                Value = CgroupFile.ParseUInt(f[^1]),
            });
        }
        return entries.Count > 0 ? entries : null;
    }

    private static void HugetlbStats(string dir, Dictionary<string, HugetlbStats> result)
    {
        foreach (var size in Conversions.HostHugePageSizes())
        {
            // Prefer the reservation counters (5.7+): they include what is reserved but not yet faulted in.
            var prefix = CgroupFile.Exists(Path.Combine(dir, $"hugetlb.{size}.rsvd.usage_in_bytes")) ? $"hugetlb.{size}.rsvd" : $"hugetlb.{size}";
            result[size] = new HugetlbStats
            {
                Usage = CgroupFile.TryReadUInt(Path.Combine(dir, prefix + ".usage_in_bytes")) ?? 0,
                Max = CgroupFile.TryReadUInt(Path.Combine(dir, prefix + ".max_usage_in_bytes")) ?? 0,
                Failcnt = CgroupFile.TryReadUInt(Path.Combine(dir, prefix + ".failcnt")) ?? 0,
            };
        }
    }
}
