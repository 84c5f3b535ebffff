using Runtime.Cgroups.Devices;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Cgroups.V1;

/// <summary>
/// A container's cgroup on the v1 side: one directory per mounted hierarchy, controllers co-mounted in one
/// hierarchy ("cpu,cpuacct") sharing it. Writes follow runc's fs driver (file names, orders, fallbacks).
/// </summary>
internal sealed partial class V1Cgroup : ICgroupDriver
{
    private const string R = "linux.resources";

    /// <summary>hierarchy name ("cpu,cpuacct", "name=systemd") → directory.</summary>
    private readonly IReadOnlyDictionary<string, string> hierarchies;
    /// <summary>controller ("cpu", "cpuacct", "name=systemd") → directory.</summary>
    private readonly Dictionary<string, string> byController = new(StringComparer.Ordinal);
    /// <summary>hierarchy name → mount point; only known at create.</summary>
    private readonly IReadOnlyDictionary<string, string>? mounts;

    public V1Cgroup(IReadOnlyDictionary<string, string> hierarchies, IReadOnlyDictionary<string, string>? mounts)
    {
        this.hierarchies = hierarchies;
        this.mounts = mounts;
        foreach (var (name, dir) in hierarchies)
            foreach (var controller in name.Split(','))
                byController[controller] = dir;
        Dirs = hierarchies.Values.Distinct(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Dirs { get; }

    public bool Owns(string controller) => byController.ContainsKey(controller);

    public string Dir(string controller) => byController[controller];

    private string FilePath(string controller, string file) => Path.Combine(byController[controller], file);

    private void Write(string field, string controller, string file, string value) =>
        CgroupFile.Write(field, FilePath(controller, file), value);

    public void Create(List<string> created)
    {
        if (mounts == null) throw new InvalidOperationException("cgroup paths reopened from saved state cannot be created");
        foreach (var (name, dir) in hierarchies)
        {
            if (name.Split(',').Contains("cpuset"))
                // A new cpuset cgroup starts with no CPUs and no memory nodes, and a process cannot join it
                // like that: give each one made (and any empty ancestor) its parent's.
                CgroupDirectory.MakeAll(dir, mounts[name], created, onCreated: CopyCpusetFromParent);
            else
                CgroupDirectory.MakeAll(dir, mounts[name], created);
        }
        if (Owns("cpuset")) CopyCpusetFromParent(Path.GetDirectoryName(Dir("cpuset"))!, Dir("cpuset"));
    }

    private static void CopyCpusetFromParent(string parent, string dir)
    {
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            var path = Path.Combine(dir, file);
            if (CgroupFile.TryRead(path) is { } mine && mine.Trim().Length > 0) continue;
            var value = CgroupFile.Read(Path.Combine(parent, file)).Trim();
            CgroupFile.Write($"create cgroup {dir}", path, value);
        }
    }

    // ---- memory

    /// <summary>OCI memory values: 0 means unset (as runc, whose config cannot tell 0 from absent).</summary>
    private static long? Given(long? v) => v is 0 ? null : v;

    public void SetMemory(LinuxMemory m, Action<string> warn)
    {
        const string F = R + ".memory";
        long? limit = Given(m.Limit), swap = Given(m.Swap);
        if (m.CheckBeforeUpdate == true)
            SharedControllers.CheckMemoryUsage(limit, swap, CgroupFile.ReadUInt(FilePath("memory", "memory.usage_in_bytes")));

        if (limit == -1 && swap == null && CgroupFile.Exists(FilePath("memory", "memory.memsw.limit_in_bytes")))
            swap = -1; // unlimited memory means unlimited memory+swap, as in v1 the pair must stay ordered
        if (limit != null && swap != null)
        {
            // memory.limit_in_bytes must stay <= memory.memsw.limit_in_bytes at every step: raise swap first when it grows.
            ulong current = CgroupFile.ReadUInt(FilePath("memory", "memory.limit_in_bytes"));
            if (swap == -1 || current < (ulong)swap.Value)
            {
                Write(F + ".swap", "memory", "memory.memsw.limit_in_bytes", CgroupFile.Num(swap.Value));
                WriteMemoryLimit(limit.Value);
            }
            else
            {
                WriteMemoryLimit(limit.Value);
                Write(F + ".swap", "memory", "memory.memsw.limit_in_bytes", CgroupFile.Num(swap.Value));
            }
        }
        else if (limit != null) WriteMemoryLimit(limit.Value);
        else if (swap != null) Write(F + ".swap", "memory", "memory.memsw.limit_in_bytes", CgroupFile.Num(swap.Value));

        if (Given(m.Reservation) is { } reservation)
            Write(F + ".reservation", "memory", "memory.soft_limit_in_bytes", CgroupFile.Num(reservation));
        if (Given(m.Kernel) is { } kernel)
            WriteIfSupported(F + ".kernel", "memory.kmem.limit_in_bytes", kernel, warn);
        if (Given(m.KernelTcp) is { } kernelTcp)
            WriteIfSupported(F + ".kernelTCP", "memory.kmem.tcp.limit_in_bytes", kernelTcp, warn);
        if (m.Swappiness is { } swappiness && swappiness != ulong.MaxValue) // -1 in a Go config: unset
        {
            if (swappiness > 100)
                throw new RuntimeException($"{F}.swappiness: {swappiness} is out of range (0-100)");
            Write(F + ".swappiness", "memory", "memory.swappiness", CgroupFile.Num(swappiness));
        }
        if (m.DisableOomKiller is { } disable)
            Write(F + ".disableOOMKiller", "memory", "memory.oom_control", disable ? "1" : "0");
        if (m.UseHierarchy is { } hierarchy)
        {
            var path = FilePath("memory", "memory.use_hierarchy");
            int errno = CgroupFile.TryWrite(path, hierarchy ? "1" : "0");
            if (errno == Errnos.EINVAL && !hierarchy)
                warn($"{F}.useHierarchy: this kernel always accounts hierarchically (write {path}: {Errnos.Describe(errno)}); ignored");
            else if (errno != 0) throw CgroupFile.WriteError(F + ".useHierarchy", path, errno);
        }
    }

    private void WriteMemoryLimit(long limit)
    {
        var path = FilePath("memory", "memory.limit_in_bytes");
        int errno = CgroupFile.TryWrite(path, CgroupFile.Num(limit));
        if (errno == 0) return;
        var error = CgroupFile.WriteError(R + ".memory.limit", path, errno);
        if (errno != Errnos.EBUSY) throw error;
        // EBUSY: the kernel could not reclaim down to the new limit.
        ulong usage = CgroupFile.ReadUInt(FilePath("memory", "memory.usage_in_bytes"));
        ulong peak = CgroupFile.ReadUInt(FilePath("memory", "memory.max_usage_in_bytes"));
        throw new RuntimeException($"{error.Message}: the limit {limit} is below what the container uses (current usage: {usage}, peak usage: {peak})");
    }

    /// <summary>
    /// Kernel memory knobs are going away: a warning, not a failure, where the kernel lacks them. Linux 6.1+
    /// keeps memory.kmem.limit_in_bytes but ignores writes, so the value is read back to tell.
    /// </summary>
    private void WriteIfSupported(string field, string file, long value, Action<string> warn)
    {
        var path = FilePath("memory", file);
        int errno = CgroupFile.TryWrite(path, CgroupFile.Num(value));
        if (errno is Errnos.ENOENT or Errnos.EOPNOTSUPP or SharedControllers.ENOTSUPP)
            warn($"{field}: not supported by this kernel (write {path}: {Errnos.Describe(errno)}); ignored");
        else if (errno != 0) throw CgroupFile.WriteError(field, path, errno);
        else if (value > 0 && CgroupFile.TryReadUInt(path) is { } actual && actual != (ulong)(value / Environment.SystemPageSize * Environment.SystemPageSize))
            warn($"{field}: not supported by this kernel (it accepts {path} but ignores it: still {actual}); ignored");
    }

    // ---- cpu, cpuset, pids

    public void SetCpu(LinuxCpu c, Action<string> warn)
    {
        const string F = R + ".cpu";
        // Real-time budget first (runc does it before the process joins, which is where Apply runs):
        // period and runtime constrain each other, so a rejected period is retried after the runtime.
        string? rtPeriod = null;
        if (c.RealtimePeriod is { } rp and not 0)
        {
            rtPeriod = CgroupFile.Num(rp);
            int errno = CgroupFile.TryWrite(FilePath("cpu", "cpu.rt_period_us"), rtPeriod);
            if (errno == 0) rtPeriod = null;
            else if (errno != Errnos.EINVAL || c.RealtimeRuntime is null or 0)
                throw CgroupFile.WriteError(F + ".realtimePeriod", FilePath("cpu", "cpu.rt_period_us"), errno);
        }
        if (c.RealtimeRuntime is { } rr and not 0)
        {
            Write(F + ".realtimeRuntime", "cpu", "cpu.rt_runtime_us", CgroupFile.Num(rr));
            if (rtPeriod != null) Write(F + ".realtimePeriod", "cpu", "cpu.rt_period_us", rtPeriod);
        }

        if (c.Shares is { } shares and not 0)
        {
            Write(F + ".shares", "cpu", "cpu.shares", CgroupFile.Num(shares));
            // The kernel clamps instead of failing; say so rather than run with a different value.
            ulong actual = CgroupFile.ReadUInt(FilePath("cpu", "cpu.shares"));
            if (actual != shares)
                throw new RuntimeException($"{F}.shares: {shares} is out of range: the {(shares > actual ? "maximum" : "minimum")} allowed cpu shares is {actual}");
        }

        // Period, burst and quota constrain each other against the parent's quota: whatever the kernel refuses
        // first (EINVAL) is written again after the quota.
        string? period = null, burst = null;
        bool quotaGiven = c.Quota is not (null or 0);
        if (c.Period is { } p and not 0)
        {
            period = CgroupFile.Num(p);
            int errno = CgroupFile.TryWrite(FilePath("cpu", "cpu.cfs_period_us"), period);
            if (errno == 0) period = null;
            else if (errno != Errnos.EINVAL || !quotaGiven)
                throw CgroupFile.WriteError(F + ".period", FilePath("cpu", "cpu.cfs_period_us"), errno);
        }
        if (c.Burst is { } b)
        {
            burst = CgroupFile.Num(b);
            int errno = CgroupFile.TryWrite(FilePath("cpu", "cpu.cfs_burst_us"), burst);
            if (errno == 0) burst = null;
            else if (errno == Errnos.ENOENT)
            {
                warn($"{F}.burst: not supported by this kernel (no cpu.cfs_burst_us); ignored");
                burst = null;
            }
            else if (errno != Errnos.EINVAL || !quotaGiven)
                throw CgroupFile.WriteError(F + ".burst", FilePath("cpu", "cpu.cfs_burst_us"), errno);
        }
        if (quotaGiven)
        {
            Write(F + ".quota", "cpu", "cpu.cfs_quota_us", CgroupFile.Num(c.Quota!.Value));
            if (period != null) Write(F + ".period", "cpu", "cpu.cfs_period_us", period);
            if (burst != null) Write(F + ".burst", "cpu", "cpu.cfs_burst_us", burst);
        }
        if (c.Idle is { } idle)
            Write(F + ".idle", "cpu", "cpu.idle", CgroupFile.Num(idle));
    }

    public void SetCpuset(LinuxCpu c)
    {
        if (!string.IsNullOrEmpty(c.Cpus)) Write(R + ".cpu.cpus", "cpuset", "cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) Write(R + ".cpu.mems", "cpuset", "cpuset.mems", c.Mems);
    }

    public void SetPids(LinuxPids pids) =>
        Write(R + ".pids.limit", "pids", "pids.max", Conversions.PidsMax(pids.Limit));

    // ---- blkio

    public void SetBlockIo(LinuxBlockIo b, Action<string> warn)
    {
        const string F = R + ".blockIO";
        // CFQ's blkio.weight went with CFQ (Linux 5.0); BFQ has its own files.
        bool cfq = CgroupFile.Exists(FilePath("blkio", "blkio.weight"));
        string weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
        string weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";

        if (b.Weight is { } w and not 0) Write(F + ".weight", "blkio", weightFile, CgroupFile.Num(w));
        if (b.LeafWeight is { } lw and not 0) WriteLeafWeight(F + ".leafWeight", "blkio.leaf_weight", CgroupFile.Num(lw), warn);
        for (int i = 0; i < (b.WeightDevice?.Count ?? 0); i++)
        {
            var d = b.WeightDevice![i];
            if (d.Weight is { } dw and not 0)
                Write($"{F}.weightDevice[{i}].weight", "blkio", weightDeviceFile, $"{d.Major}:{d.Minor} {dw}");
            if (d.LeafWeight is { } dl and not 0)
                WriteLeafWeight($"{F}.weightDevice[{i}].leafWeight", "blkio.leaf_weight_device", $"{d.Major}:{d.Minor} {dl}", warn);
        }
        WriteThrottle($"{F}.throttleReadBpsDevice", "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice);
        WriteThrottle($"{F}.throttleWriteBpsDevice", "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice);
        WriteThrottle($"{F}.throttleReadIOPSDevice", "blkio.throttle.read_iops_device", b.ThrottleReadIopsDevice);
        WriteThrottle($"{F}.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", b.ThrottleWriteIopsDevice);
    }

    private void WriteLeafWeight(string field, string file, string value, Action<string> warn)
    {
        var path = FilePath("blkio", file);
        int errno = CgroupFile.TryWrite(path, value);
        if (errno == Errnos.ENOENT)
            warn($"{field}: leaf weights went with the CFQ I/O scheduler (Linux 5.0), this kernel has no {file}; ignored");
        else if (errno != 0) throw CgroupFile.WriteError(field, path, errno);
    }

    private void WriteThrottle(string field, string file, List<LinuxThrottleDevice>? devices)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++)
        {
            var d = devices![i];
            Write($"{field}[{i}]", "blkio", file, $"{d.Major}:{d.Minor} {d.Rate}");
        }
    }

    // ---- hugetlb, net_cls, net_prio, rdma

    public void SetHugepages(IReadOnlyList<LinuxHugepageLimit> limits) =>
        SharedControllers.SetHugepages(Dir("hugetlb"), limits, ".limit_in_bytes");

    public void SetNetClassId(uint classId) =>
        Write(R + ".network.classID", "net_cls", "net_cls.classid", CgroupFile.Num(classId));

    public void SetNetPriorities(IReadOnlyList<LinuxInterfacePriority> priorities)
    {
        for (int i = 0; i < priorities.Count; i++)
        {
            var p = priorities[i];
            if (string.IsNullOrEmpty(p.Name) || p.Name.Contains(' ') || p.Name.Contains('\n'))
                throw new RuntimeException($"{R}.network.priorities[{i}].name: \"{p.Name}\" is not an interface name");
            Write($"{R}.network.priorities[{i}]", "net_prio", "net_prio.ifpriomap", $"{p.Name} {p.Priority}");
        }
    }

    public void SetRdma(IReadOnlyDictionary<string, LinuxRdma> rdma) =>
        SharedControllers.SetRdma(Dir("rdma"), rdma);

    // ---- devices

    public void SetDevices(IReadOnlyList<DeviceRule> rules, bool freshCgroup)
    {
        var target = DeviceEmulator.FromRules(rules); // refuses rules v1 cannot express before anything is written
        var list = FilePath("devices", "devices.list");
        if (freshCgroup)
        {
            // A new cgroup: deny everything, then the spec's rules in the spec's order, as the kernel reads them.
            WriteDeviceRule($"{R}.devices", DeviceRule.AllDevices(false));
            for (int i = 0; i < rules.Count; i++) WriteDeviceRule($"{R}.devices[{i}]", rules[i]);
        }
        else
        {
            // A live cgroup: only the differences, so running processes never see a moment of "deny all".
            var current = DeviceEmulator.FromList(CgroupFile.Read(list));
            foreach (var rule in current.TransitionTo(target)) WriteDeviceRule($"{R}.devices (\"{rule}\")", rule);
        }

        var after = DeviceEmulator.FromList(CgroupFile.Read(list));
        if (target.DefaultAllow ? !after.DefaultAllow : !after.SameAs(target))
            throw new RuntimeException($"{R}.devices: {list} shows \"{after}\" after writing the rules, not \"{target}\"");
    }

    private void WriteDeviceRule(string field, DeviceRule rule) =>
        Write(field, "devices", rule.Allow ? "devices.allow" : "devices.deny", rule.ToString());

    // ---- freezer

    public FreezerState GetFreezerState()
    {
        var path = FilePath("freezer", "freezer.state");
        for (int attempt = 0; ; attempt++)
        {
            switch (CgroupFile.TryRead(path)?.Trim())
            {
                case null: return FreezerState.Undefined;
                case "THAWED": return FreezerState.Thawed;
                case "FROZEN":
                    // FROZEN because an ancestor is frozen is not "paused" for this container.
                    return CgroupFile.TryRead(FilePath("freezer", "freezer.self_freezing"))?.Trim() == "0"
                        ? FreezerState.Thawed : FreezerState.Frozen;
                case "FREEZING" when attempt < 1000:
                    Thread.Sleep(1);
                    continue;
                case var other:
                    throw new RuntimeException($"{path}: unexpected state \"{other}\"");
            }
        }
    }

    public void SetFreezer(bool frozen, TimeSpan timeout)
    {
        var path = FilePath("freezer", "freezer.state");
        if (!frozen)
        {
            CgroupFile.Write("resume", path, "THAWED");
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(0.1);
        string state = "";
        try
        {
            for (int attempt = 1; clock.Elapsed < timeout; attempt++)
            {
                // A v1 freeze can stall on tasks that keep forking; thawing now and then lets it through (as runc).
                if (attempt % 50 == 0)
                {
                    CgroupFile.Write("pause", path, "THAWED");
                    Thread.Sleep(10);
                }
                CgroupFile.Write("pause", path, "FROZEN");
                state = CgroupFile.Read(path).Trim();
                if (state == "FROZEN") return;
                if (state != "FREEZING") throw new RuntimeException($"pause: {path} is \"{state}\" while freezing");
                Thread.Sleep(pause);
                if (pause < TimeSpan.FromMilliseconds(10)) pause *= 2;
            }
            throw new RuntimeException($"pause: {path} did not reach FROZEN within {timeout.TotalSeconds:0.#} s (still {state}); thawed it again");
        }
        catch
        {
            CgroupFile.TryWrite(path, "THAWED");
            throw;
        }
    }
}
