namespace Runtime.Cgroups.V2;

// Statistics from cgroup2 files, shaped into runc's (v1-born) stats types the way runc's fs2 driver does.
internal sealed partial class V2Cgroup
{
    public void CollectStats(string controller, CgroupStats stats)
    {
        if (!Directory.Exists(dir)) return;
        switch (controller)
        {
            case "cpu": CpuStats(stats.Cpu); break;
            case "memory": MemoryStats(stats.Memory); break;
            case "pids": PidsStats(stats.Pids); break;
            case "blkio": IoStats(stats.Blkio); break;
            case "hugetlb": HugetlbStats(stats.Hugetlb); break;
        }
    }

    /// <summary>cpu.stat is in microseconds; runc reports nanoseconds.</summary>
    private void CpuStats(CpuStats s)
    {
        var stat = CgroupFile.ReadKeyValues(FilePath("cpu.stat"));
        s.Usage.Total = stat.GetValueOrDefault("usage_usec") * 1000;
        s.Usage.User = stat.GetValueOrDefault("user_usec") * 1000;
        s.Usage.Kernel = stat.GetValueOrDefault("system_usec") * 1000;
        s.Throttling.Periods = stat.GetValueOrDefault("nr_periods");
        s.Throttling.ThrottledPeriods = stat.GetValueOrDefault("nr_throttled");
        s.Throttling.ThrottledTime = stat.GetValueOrDefault("throttled_usec") * 1000;
    }

    private void MemoryStats(MemoryStats s)
    {
        var raw = CgroupFile.ReadKeyValues(FilePath("memory.stat"));
        s.Raw = raw.Count > 0 ? raw : null;
        s.Cache = raw.GetValueOrDefault("file");
        var events = CgroupFile.ReadKeyValues(FilePath("memory.events"));
        s.Usage = new MemoryEntry
        {
            Usage = CgroupFile.TryReadUInt(FilePath("memory.current")) ?? 0,
            Limit = CgroupFile.TryReadUInt(FilePath("memory.max")) ?? 0,
            Max = CgroupFile.TryReadUInt(FilePath("memory.peak")) ?? 0,
            Failcnt = events.GetValueOrDefault("max"),
        };
        // runc's "swap" is v1's memsw: memory + swap.
        ulong swapUsage = CgroupFile.TryReadUInt(FilePath("memory.swap.current")) ?? 0;
        ulong swapLimit = CgroupFile.TryReadUInt(FilePath("memory.swap.max")) ?? 0;
        s.Swap = new MemoryEntry
        {
            Usage = s.Usage.Usage + swapUsage,
            Limit = swapLimit == ulong.MaxValue || s.Usage.Limit == ulong.MaxValue ? ulong.MaxValue : swapLimit + s.Usage.Limit,
        };
    }

    private void PidsStats(PidsStats s)
    {
        s.Current = CgroupFile.TryReadUInt(FilePath("pids.current")) ?? (ulong)CgroupFile.ReadProcs(dir).Count;
        var max = CgroupFile.TryReadUInt(FilePath("pids.max")) ?? 0;
        s.Limit = max == ulong.MaxValue ? 0 : max;
    }

    /// <summary>io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 …" into v1's service bytes / serviced tables.</summary>
    private void IoStats(BlkioStats s)
    {
        if (CgroupFile.TryRead(FilePath("io.stat")) is not { } text) return;
        List<BlkioEntry> bytes = [], ios = [];
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var dev = fields[0].Split(':');
            if (dev.Length != 2) continue;
            ulong major = CgroupFile.ParseUInt(dev[0]), minor = CgroupFile.ParseUInt(dev[1]);
            foreach (var kv in fields.Skip(1))
            {
                var (key, value) = (kv.Split('=')[0], kv.Split('=').ElementAtOrDefault(1));
                if (value == null) continue;
                var (table, op) = key switch
                {
                    "rbytes" => (bytes, "Read"),
                    "wbytes" => (bytes, "Write"),
                    "rios" => (ios, "Read"),
                    "wios" => (ios, "Write"),
                    _ => (null, ""),
                };
                table?.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = CgroupFile.ParseUInt(value) });
            }
        }
        s.IoServiceBytesRecursive = bytes.Count > 0 ? bytes : null;
        s.IoServicedRecursive = ios.Count > 0 ? ios : null;
    }

    private void HugetlbStats(Dictionary<string, HugetlbStats> result)
    {
        foreach (var size in Conversions.HostHugePageSizes())
        {
            var usage = CgroupFile.TryReadUInt(FilePath($"hugetlb.{size}.rsvd.current"))
                        ?? CgroupFile.TryReadUInt(FilePath($"hugetlb.{size}.current"));
            if (usage == null) continue;
            result[size] = new HugetlbStats
            {
                Usage = usage.Value,
                Failcnt = CgroupFile.ReadKeyValues(FilePath($"hugetlb.{size}.events")).GetValueOrDefault("max"),
            };
        }
    }
}
