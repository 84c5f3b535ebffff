using System.Diagnostics;
using Runtime.Cgroups.Devices;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Cgroups.V2;

/// <summary>
/// A container's cgroup in the cgroup2 hierarchy: the whole cgroup on a pure v2 host, the part for controllers
/// not bound to v1 (hugetlb on a typical hybrid host) plus freezer/kill/device filter fallbacks on a hybrid one.
/// OCI's v1-style values are converted with runc's formulas (<see cref="Conversions"/>).
/// </summary>
internal sealed partial class V2Cgroup : ICgroupDriver
{
    private const string R = "linux.resources";

    private readonly string dir;
    /// <summary>Where the hierarchy is mounted; only known at create.</summary>
    private readonly string? mountPoint;
    private HashSet<string>? controllers;

    public V2Cgroup(string dir, string? mountPoint)
    {
        this.dir = dir;
        this.mountPoint = mountPoint;
        Dirs = [dir];
    }

    public string Dir => dir;

    public IReadOnlyList<string> Dirs { get; }

    /// <summary>Controllers the parent enabled for this cgroup (its cgroup.controllers).</summary>
    public IReadOnlySet<string> Controllers => controllers ??=
        new HashSet<string>((CgroupFile.TryRead(Path.Combine(dir, "cgroup.controllers")) ?? "")
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    public bool Owns(string controller) => controller switch
    {
        "devices" => true,                                                       // eBPF, any cgroup2 directory
        "freezer" => CgroupFile.Exists(Path.Combine(dir, "cgroup.freeze")),     // Linux 5.2+
        "blkio" => Controllers.Contains("io"),
        "net_cls" or "net_prio" or "cpuacct" => false,                          // v1 only
        _ => Controllers.Contains(controller),
    };

    private string FilePath(string file) => Path.Combine(dir, file);

    private void Write(string field, string file, string value) => CgroupFile.Write(field, FilePath(file), value);

    /// <summary>
    /// Makes the directory and, on every ancestor below the mount, enables (cgroup.subtree_control) each
    /// controller the ancestor has, so the new cgroup gets them too (runc does the same). Failures to enable one
    /// are left for the write that needs it to report, with the controller's name.
    /// </summary>
    public void Create(List<string> created)
    {
        if (mountPoint == null) throw new InvalidOperationException("cgroup paths reopened from saved state cannot be created");
        CgroupDirectory.MakeAll(dir, mountPoint, created, beforeChild: EnableControllers);
        controllers = null;
    }

    private static void EnableControllers(string parent)
    {
        var available = (CgroupFile.TryRead(Path.Combine(parent, "cgroup.controllers")) ?? "")
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var enabled = (CgroupFile.TryRead(Path.Combine(parent, "cgroup.subtree_control")) ?? "")
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var missing = available.Except(enabled).ToArray();
        if (missing.Length == 0) return;
        var path = Path.Combine(parent, "cgroup.subtree_control");
        if (CgroupFile.TryWrite(path, string.Join(' ', missing.Select(c => "+" + c))) == 0) return;
        foreach (var c in missing) CgroupFile.TryWrite(path, "+" + c); // one at a time: enable what can be
    }

    // ---- memory

    public void SetMemory(LinuxMemory m, Action<string> warn)
    {
        const string F = R + ".memory";
        long? limit = m.Limit is 0 ? null : m.Limit, swap = m.Swap is 0 ? null : m.Swap;
        long? reservation = m.Reservation is 0 ? null : m.Reservation;
        if (m.CheckBeforeUpdate == true && (limit is > 0 || swap is > 0))
            SharedControllers.CheckMemoryUsage(limit, swap, CgroupFile.ReadUInt(FilePath("memory.current")));

        if (limit != null || swap != null)
        {
            // An update of swap alone is relative to the memory limit in force.
            long? memoryForSwap = limit ?? (swap == null ? null : CurrentMemoryMax());
            var swapMax = Conversions.MemorySwapToV2(swap, memoryForSwap);
            if (swapMax != null)
            {
                int errno = CgroupFile.TryWrite(FilePath("memory.swap.max"), swapMax);
                // No swap accounting: "no limit" and "no swap" are what the container gets anyway.
                if (errno != 0 && !(errno == Errnos.ENOENT && swapMax is "max" or "0"))
                    throw CgroupFile.WriteError(F + ".swap", FilePath("memory.swap.max"), errno);
            }
            if (limit != null) Write(F + ".limit", "memory.max", Conversions.MemoryToV2(limit.Value));
        }
        if (reservation != null) Write(F + ".reservation", "memory.low", Conversions.MemoryToV2(reservation.Value));

        if (m.Kernel is not (null or 0)) warn($"{F}.kernel: cgroup v2 has no kernel memory limit (it is part of memory.max); ignored");
        if (m.KernelTcp is not (null or 0)) warn($"{F}.kernelTCP: cgroup v2 has no TCP memory limit (it is part of memory.max); ignored");
        if (m.Swappiness is { } sw && sw != ulong.MaxValue) warn($"{F}.swappiness: cgroup v2 has no per-cgroup swappiness; ignored");
        if (m.DisableOomKiller == true) warn($"{F}.disableOOMKiller: cgroup v2 cannot disable the OOM killer; ignored");
        if (m.UseHierarchy == false) warn($"{F}.useHierarchy: cgroup v2 always accounts hierarchically; ignored");
    }

    /// <summary>memory.max as a v1-style value: -1 for "max", null when unreadable.</summary>
    private long? CurrentMemoryMax() => CgroupFile.TryReadUInt(FilePath("memory.max")) switch
    {
        null => null,
        ulong.MaxValue => -1,
        var v => (long)v.Value,
    };

    // ---- cpu, cpuset, pids

    public void SetCpu(LinuxCpu c, Action<string> warn)
    {
        const string F = R + ".cpu";
        if (c.RealtimeRuntime is not (null or 0) || c.RealtimePeriod is not (null or 0))
            warn($"{F}.realtimeRuntime/realtimePeriod: cgroup v2 has no real-time group scheduling; ignored");
        if (c.Idle is { } idle) Write(F + ".idle", "cpu.idle", CgroupFile.Num(idle));
        if (c.Shares is { } shares and not 0)
            Write(F + ".shares", "cpu.weight", CgroupFile.Num(Conversions.CpuSharesToWeight(shares)));

        bool quotaOrPeriod = c.Quota is not (null or 0) || c.Period is not (null or 0);
        string? burst = null;
        if (c.Burst is { } b)
        {
            // A larger burst may not fit the current quota: retried after cpu.max.
            burst = CgroupFile.Num(b);
            int errno = CgroupFile.TryWrite(FilePath("cpu.max.burst"), burst);
            if (errno == 0) burst = null;
            else if (errno != Errnos.EINVAL || !quotaOrPeriod) throw CgroupFile.WriteError(F + ".burst", FilePath("cpu.max.burst"), errno);
        }
        if (quotaOrPeriod)
        {
            var value = Conversions.CpuMax(c.Quota is 0 ? null : c.Quota, c.Period, CgroupFile.TryRead(FilePath("cpu.max")));
            Write(c.Quota is not (null or 0) ? F + ".quota" : F + ".period", "cpu.max", value);
            if (burst != null) Write(F + ".burst", "cpu.max.burst", burst);
        }
    }

    public void SetCpuset(LinuxCpu c)
    {
        if (!string.IsNullOrEmpty(c.Cpus)) Write(R + ".cpu.cpus", "cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) Write(R + ".cpu.mems", "cpuset.mems", c.Mems);
    }

    public void SetPids(LinuxPids pids) =>
        Write(R + ".pids.limit", "pids.max", Conversions.PidsMax(pids.Limit));

    // ---- io

    public void SetBlockIo(LinuxBlockIo b, Action<string> warn)
    {
        const string F = R + ".blockIO";
        // With BFQ the weight is BFQ's own (same 1-1000 scale as v1); otherwise io.weight's 1-10000.
        bool bfq = CgroupFile.Exists(FilePath("io.bfq.weight"));
        if (b.Weight is { } w and not 0)
        {
            if (bfq) Write(F + ".weight", "io.bfq.weight", CgroupFile.Num(w));
            else Write(F + ".weight", "io.weight", CgroupFile.Num(Conversions.BlkioWeightToIoWeight(w, F + ".weight")));
        }
        if (b.LeafWeight is not (null or 0)) warn($"{F}.leafWeight: cgroup v2 has no leaf weights; ignored");
        for (int i = 0; i < (b.WeightDevice?.Count ?? 0); i++)
        {
            var d = b.WeightDevice![i];
            string field = $"{F}.weightDevice[{i}]";
            if (d.Weight is { } dw and not 0)
            {
                if (bfq) Write(field + ".weight", "io.bfq.weight", $"{d.Major}:{d.Minor} {dw}");
                else Write(field + ".weight", "io.weight", $"{d.Major}:{d.Minor} {Conversions.BlkioWeightToIoWeight(dw, field + ".weight")}");
            }
            if (d.LeafWeight is not (null or 0)) warn($"{field}.leafWeight: cgroup v2 has no leaf weights; ignored");
        }
        WriteIoMax($"{F}.throttleReadBpsDevice", "rbps", b.ThrottleReadBpsDevice);
        WriteIoMax($"{F}.throttleWriteBpsDevice", "wbps", b.ThrottleWriteBpsDevice);
        WriteIoMax($"{F}.throttleReadIOPSDevice", "riops", b.ThrottleReadIopsDevice);
        WriteIoMax($"{F}.throttleWriteIOPSDevice", "wiops", b.ThrottleWriteIopsDevice);
    }

    private void WriteIoMax(string field, string key, List<LinuxThrottleDevice>? devices)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++)
        {
            var d = devices![i];
            // v1 writes 0 to lift a throttle; io.max spells that "max".
            Write($"{field}[{i}]", "io.max", $"{d.Major}:{d.Minor} {key}={(d.Rate == 0 ? "max" : CgroupFile.Num(d.Rate))}");
        }
    }

    // ---- hugetlb, rdma, unified

    public void SetHugepages(IReadOnlyList<LinuxHugepageLimit> limits) =>
        SharedControllers.SetHugepages(dir, limits, ".max");

    public void SetRdma(IReadOnlyDictionary<string, LinuxRdma> rdma) =>
        SharedControllers.SetRdma(dir, rdma);

    /// <summary>linux.resources.unified: file name → value, written as given (each line a separate write), after everything else so it can override.</summary>
    public void SetUnified(IReadOnlyDictionary<string, string> unified)
    {
        foreach (var (key, value) in unified.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string field = $"{R}.unified[\"{key}\"]";
            int dot = key.IndexOf('.');
            if (key.Contains('/') || key is "." or ".." || dot <= 0 || dot == key.Length - 1)
                throw new RuntimeException($"{field}: must be a cgroup file name like \"memory.high\"");
            var path = FilePath(key);
            var lines = value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            int errno = CgroupFile.TryWrite(path, lines.Length > 0 ? lines : [""], out _);
            if (errno == 0) continue;
            var controller = key[..dot];
            if (errno is Errnos.ENOENT or Errnos.EACCES or Errnos.EPERM && controller != "cgroup" && !Controllers.Contains(controller))
                throw new RuntimeException($"{field}: the {controller} controller is not available in {dir} " +
                                           $"(enabled: {string.Join(' ', Controllers.Order(StringComparer.Ordinal))})");
            throw CgroupFile.WriteError(field, path, errno);
        }
    }

    // ---- devices

    public void SetDevices(IReadOnlyList<DeviceRule> rules, bool freshCgroup) =>
        DeviceProgramLoader.Attach(dir, DeviceFilter.Generate(rules));

    // ---- freezer, kill

    public FreezerState GetFreezerState()
    {
        switch (CgroupFile.TryRead(FilePath("cgroup.freeze"))?.Trim())
        {
            case null: return FreezerState.Undefined;
            case "0": return FreezerState.Thawed;
            case "1": return IsFrozen() ? FreezerState.Frozen : FreezerState.Thawed;
            case var other: throw new RuntimeException($"{FilePath("cgroup.freeze")}: unexpected value \"{other}\"");
        }
    }

    /// <summary>cgroup.events "frozen 1": every task is actually stopped, not just asked to.</summary>
    private bool IsFrozen() =>
        CgroupFile.ReadKeyValues(FilePath("cgroup.events")).GetValueOrDefault("frozen") == 1;

    public void SetFreezer(bool frozen, TimeSpan timeout)
    {
        var path = FilePath("cgroup.freeze");
        if (!frozen)
        {
            CgroupFile.Write("resume", path, "0");
            return;
        }
        CgroupFile.Write("pause", path, "1");
        var clock = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(0.1);
        while (!IsFrozen())
        {
            if (clock.Elapsed >= timeout)
            {
                CgroupFile.TryWrite(path, "0");
                throw new RuntimeException($"pause: {dir} did not freeze within {timeout.TotalSeconds:0.#} s (cgroup.events never showed \"frozen 1\"); thawed it again");
            }
            Thread.Sleep(pause);
            if (pause < TimeSpan.FromMilliseconds(10)) pause *= 2;
        }
    }

    /// <summary>cgroup.kill (Linux 5.14+) SIGKILLs every process below, atomically against forks. False when the kernel lacks it.</summary>
    public bool TryKillAll()
    {
        var path = FilePath("cgroup.kill");
        int errno = CgroupFile.TryWrite(path, "1");
        if (errno == 0) return true;
        if (errno == Errnos.ENOENT && Directory.Exists(dir)) return false;
        if (errno is Errnos.ENOENT or Errnos.ENODEV) return true; // the cgroup is gone: nothing left to kill
        throw new RuntimeException($"kill: write {path}: {Errnos.Describe(errno)}");
    }
}
