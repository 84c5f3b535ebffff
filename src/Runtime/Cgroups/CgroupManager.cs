using System.Diagnostics;
using Runtime.Cgroups.Devices;
using Runtime.Cgroups.V1;
using Runtime.Cgroups.V2;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Cgroups;

/// <summary>
/// A container's cgroup on any host layout: v1, pure v2, or hybrid (v1 controllers plus the cgroup2 mount,
/// where e.g. hugetlb lives). Each resource goes to whichever side has its controller: v1 first, then cgroup2.
///
/// Lifecycle: <see cref="Create"/> (resolve, make, apply limits; a failure removes what it made) →
/// <see cref="Join"/> the container's init → save <see cref="ToSavedPaths"/> with the container state; later
/// commands reopen it with <see cref="FromSavedPaths"/> for <see cref="Update"/>, <see cref="Freeze"/>/<see cref="Thaw"/>,
/// <see cref="Pids"/>, <see cref="KillAll"/>, <see cref="Stats"/>, <see cref="WatchOom"/>, and finally <see cref="Destroy"/>.
/// </summary>
public sealed class CgroupManager
{
    private const string R = "linux.resources";
    public static readonly TimeSpan DefaultFreezeTimeout = TimeSpan.FromSeconds(10);

    private readonly V1Cgroup? v1;
    private readonly V2Cgroup? v2;
    private readonly Action<string> warn;
    private readonly CgroupPaths paths;

    private CgroupManager(CgroupPaths paths, CgroupLayout? layout, Action<string>? warn)
    {
        this.paths = paths;
        this.warn = warn ?? (message => Console.Error.WriteLine($"warning: {message}"));
        if (paths.V1.Count > 0)
            v1 = new V1Cgroup(paths.V1, layout?.V1Hierarchies.ToDictionary(h => h.Name, h => h.MountPoint, StringComparer.Ordinal));
        if (paths.Unified != null)
            v2 = new V2Cgroup(paths.Unified, layout?.UnifiedMountPoint);
    }

    /// <summary>
    /// Makes the container's cgroup in every hierarchy and applies <paramref name="resources"/>, before any
    /// process joins. <paramref name="cgroupsPath"/> is linux.cgroupsPath (see <see cref="CgroupPaths.Resolve(CgroupLayout, string?, string)"/>).
    /// Refuses a cgroup that already holds processes or is frozen (as runc). Any failure removes the directories
    /// this call made and throws a <see cref="RuntimeException"/> naming the field, file and errno.
    /// </summary>
    public static CgroupManager Create(CgroupLayout layout, string? cgroupsPath, string id, LinuxResources? resources,
        Action<string>? warn = null) =>
        Create(layout, CgroupPaths.Resolve(layout, cgroupsPath, id), resources, warn);

    /// <summary>The same with the directories already resolved (they must lie below <paramref name="layout"/>'s mounts).</summary>
    public static CgroupManager Create(CgroupLayout layout, CgroupPaths paths, LinuxResources? resources, Action<string>? warn = null)
    {
        var manager = new CgroupManager(paths, layout, warn);
        var deviceRules = ValidateDevices(resources);
        manager.RefuseInUse();
        var created = new List<string>();
        try
        {
            manager.v1?.Create(created);
            manager.v2?.Create(created);
            if (resources != null)
            {
                bool freshDevices = manager.v1 is { } v && v.Owns("devices") && created.Contains(v.Dir("devices"));
                manager.Set(resources, deviceRules, freshDevices);
            }
            return manager;
        }
        catch
        {
            // Only what this call made: a pre-existing (empty) cgroup is not ours to remove.
            for (int i = created.Count - 1; i >= 0; i--) Libc.UnlinkAt(Libc.AT_FDCWD, created[i], Libc.AT_REMOVEDIR);
            throw;
        }
    }

    /// <summary>Reopens a container's cgroup from the paths saved at create; no detection, no resolution.</summary>
    public static CgroupManager FromSavedPaths(CgroupPaths paths, Action<string>? warn = null) => new(paths, null, warn);

    /// <summary>The resolved directories, for the container's saved state.</summary>
    public CgroupPaths ToSavedPaths() => new() { V1 = new Dictionary<string, string>(paths.V1, StringComparer.Ordinal), Unified = paths.Unified };

    public bool Exists => paths.AllDirs.Any(Directory.Exists);

    /// <summary>Moves <paramref name="pid"/> (with all its threads) into the container's cgroup in every hierarchy.</summary>
    public void Join(int pid)
    {
        foreach (var dir in paths.AllDirs)
        {
            var path = Path.Combine(dir, "cgroup.procs");
            int errno = 0;
            // EINVAL can be transient while the process is still being set up (runc retries too).
            for (int attempt = 0; attempt < 5; attempt++)
            {
                errno = CgroupFile.TryWrite(path, CgroupFile.Num(pid));
                if (errno != Errnos.EINVAL) break;
                Thread.Sleep(10);
            }
            if (errno != 0) throw new RuntimeException($"join cgroup: write {pid} to {path}: {Errnos.Describe(errno)}");
        }
    }

    /// <summary>Applies new limits to the live cgroup (`update`): only the fields given change; device rules, when
    /// given, replace the old set without a moment of "deny all".</summary>
    public void Update(LinuxResources resources) =>
        Set(resources, ValidateDevices(resources), freshDevices: false);

    private static IReadOnlyList<DeviceRule>? ValidateDevices(LinuxResources? resources)
    {
        if (resources?.Devices is not { } devices) return null;
        var rules = DeviceRule.FromSpec(devices);
        DeviceEmulator.FromRules(rules); // refuses what the devices cgroup cannot express, before anything is written
        return rules;
    }

    private void Set(LinuxResources r, IReadOnlyList<DeviceRule>? deviceRules, bool freshDevices)
    {
        // runc's order: cpuset and devices first, unified last so it can override.
        if (r.Cpu is { } cpu && (!string.IsNullOrEmpty(cpu.Cpus) || !string.IsNullOrEmpty(cpu.Mems)))
            Driver("cpuset", $"{R}.cpu.{(string.IsNullOrEmpty(cpu.Cpus) ? "mems" : "cpus")}").SetCpuset(cpu);
        if (deviceRules != null)
            Driver("devices", $"{R}.devices").SetDevices(deviceRules, freshDevices);
        if (r.Memory is { } memory && HasAny(memory))
            Driver("memory", $"{R}.memory").SetMemory(memory, warn);
        if (r.Cpu is { } c && (c.Shares != null || c.Quota != null || c.Period != null || c.Burst != null ||
                               c.RealtimeRuntime != null || c.RealtimePeriod != null || c.Idle != null))
            Driver("cpu", $"{R}.cpu").SetCpu(c, warn);
        // LinuxPids.Limit cannot tell 0 from absent ("pids": {} is valid since runtime-spec 1.3), so 0 stays
        // "unset" as in runc before 1.4; a real limit of 0 needs the model to carry null.
        if (r.Pids is { Limit: not 0 } pids)
            Driver("pids", $"{R}.pids").SetPids(pids);
        if (r.BlockIO is { } io && HasAny(io))
            Driver("blkio", $"{R}.blockIO").SetBlockIo(io, warn);
        if (r.HugepageLimits is { Count: > 0 } hugepages)
            Driver("hugetlb", $"{R}.hugepageLimits").SetHugepages(hugepages);
        if (r.Network is { } network)
        {
            if (network.ClassId is { } classId && NetworkDriver("net_cls", $"{R}.network.classID") is { } cls)
                cls.SetNetClassId(classId);
            if (network.Priorities is { Count: > 0 } priorities && NetworkDriver("net_prio", $"{R}.network.priorities") is { } prio)
                prio.SetNetPriorities(priorities);
        }
        if (r.Rdma is { Count: > 0 } rdma)
            Driver("rdma", $"{R}.rdma").SetRdma(rdma);
        if (r.Unified is { Count: > 0 } unified)
            (v2 ?? throw new RuntimeException($"{R}.unified: needs cgroup v2, and this host has cgroup v1 only")).SetUnified(unified);
    }

    private static bool HasAny(LinuxMemory m) =>
        m.Limit != null || m.Reservation != null || m.Swap != null || m.Kernel != null || m.KernelTcp != null ||
        m.Swappiness != null || m.DisableOomKiller != null || m.UseHierarchy != null;

    private static bool HasAny(LinuxBlockIo b) =>
        b.Weight != null || b.LeafWeight != null || b.WeightDevice is { Count: > 0 } || b.ThrottleReadBpsDevice is { Count: > 0 } ||
        b.ThrottleWriteBpsDevice is { Count: > 0 } || b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 };

    /// <summary>The side that has <paramref name="controller"/>, or null.</summary>
    private ICgroupDriver? Route(string controller) =>
        v1 != null && v1.Owns(controller) ? v1 : v2 != null && v2.Owns(controller) ? v2 : null;

    private ICgroupDriver Driver(string controller, string field) =>
        Route(controller) ?? throw new RuntimeException($"{field}: the {controller} cgroup controller is not available on this host ({Available()})");

    /// <summary>net_cls/net_prio exist in v1 only: where v1 lacks them, a pure v2 host ignores the field (as runc), otherwise it is an error.</summary>
    private V1Cgroup? NetworkDriver(string controller, string field)
    {
        if (v1 != null && v1.Owns(controller)) return v1;
        if (v1 == null)
        {
            warn($"{field}: the {controller} controller exists in cgroup v1 only; ignored on this cgroup v2 host");
            return null;
        }
        throw new RuntimeException($"{field}: the {controller} cgroup controller is not available on this host ({Available()})");
    }

    private string Available()
    {
        var parts = new List<string>();
        if (v1 != null) parts.Add("cgroup v1 has " + string.Join(", ", paths.V1.Keys.SelectMany(k => k.Split(',')).Order(StringComparer.Ordinal)));
        if (v2 != null) parts.Add($"cgroup v2 enables {(v2.Controllers.Count > 0 ? string.Join(", ", v2.Controllers.Order(StringComparer.Ordinal)) : "none")} in {v2.Dir}");
        return string.Join("; ", parts);
    }

    private void RefuseInUse()
    {
        if (!Directory.Exists(ProcsDir)) return;
        var pids = Pids();
        if (pids.Count > 0)
            throw new RuntimeException($"container's cgroup is not empty: {pids.Count} process(es) found in {ProcsDir}");
        if (Route("freezer") is { } freezer && freezer.GetFreezerState() == FreezerState.Frozen)
            throw new RuntimeException("container's cgroup unexpectedly frozen");
    }

    // ---- freezer

    private ICgroupDriver Freezer(string operation) =>
        Route("freezer") ?? throw new RuntimeException($"{operation}: no freezer on this host (neither the v1 freezer controller nor cgroup2's cgroup.freeze)");

    /// <summary>Stops every process (`pause`) and waits until all are frozen; if they are not within
    /// <paramref name="timeout"/>, thaws them again and throws.</summary>
    public void Freeze(TimeSpan? timeout = null) => Freezer("pause").SetFreezer(true, timeout ?? DefaultFreezeTimeout);

    /// <summary>`resume`.</summary>
    public void Thaw() => Freezer("resume").SetFreezer(false, TimeSpan.Zero);

    public FreezerState State => Route("freezer")?.GetFreezerState() ?? FreezerState.Undefined;

    // ---- processes

    /// <summary>The hierarchy that lists the processes: cgroup2 where there is one (every process joins it),
    /// else a v1 hierarchy, the one runc would use first.</summary>
    private string ProcsDir =>
        v2?.Dir ?? new[] { "pids", "freezer", "devices", "memory", "cpu", "cpuacct", "cpuset", "blkio" }
            .Where(c => v1!.Owns(c)).Select(c => v1!.Dir(c)).FirstOrDefault() ?? v1!.Dirs[0];

    /// <summary>Every process in the container's cgroup and the cgroups below it (`ps`, `kill --all`).</summary>
    public IReadOnlyList<int> Pids()
    {
        var pids = new List<int>();
        Collect(ProcsDir);
        return pids;

        void Collect(string dir)
        {
            pids.AddRange(CgroupFile.ReadProcs(dir));
            IEnumerable<string> children;
            try { children = Directory.EnumerateDirectories(dir).ToList(); }
            catch (DirectoryNotFoundException) { return; }
            foreach (var child in children) Collect(child);
        }
    }

    /// <summary>
    /// `kill --all`: SIGKILL through cgroup2's cgroup.kill where the kernel has it (atomic against forks);
    /// otherwise freeze, signal every process, thaw, so none can fork away in between. A container that was
    /// paused stays paused unless the signal is SIGKILL (frozen processes cannot die).
    /// </summary>
    public void KillAll(int signal)
    {
        var freezer = Route("freezer");
        bool wasFrozen = freezer?.GetFreezerState() == FreezerState.Frozen;
        if (signal == Libc.SIGKILL && v2 != null && v2.TryKillAll())
        {
            if (wasFrozen) freezer!.SetFreezer(false, TimeSpan.Zero); // a v1-frozen task cannot die until thawed
            return;
        }
        bool frozenHere = false;
        if (freezer != null && !wasFrozen)
        {
            try
            {
                freezer.SetFreezer(true, DefaultFreezeTimeout);
                frozenHere = true;
            }
            catch (RuntimeException e)
            {
                warn($"{e.Message}; signalling without freezing");
            }
        }
        try
        {
            foreach (var pid in Pids())
                if (Libc.Kill(pid, signal) != 0 && Libc.LastErrno != Errnos.ESRCH)
                    throw new RuntimeException($"kill --all: kill({pid}, {signal}): {Errnos.Describe(Libc.LastErrno)}");
        }
        finally
        {
            if (frozenHere || (wasFrozen && signal == Libc.SIGKILL)) freezer!.SetFreezer(false, TimeSpan.Zero);
        }
    }

    // ---- stats, OOM

    /// <summary>What `events --stats` reports (runc's shape; see <see cref="CgroupEvent.StatsJson"/>).</summary>
    public CgroupStats Stats()
    {
        var stats = new CgroupStats();
        foreach (var controller in new[] { "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb" })
            Route(controller)?.CollectStats(controller, stats);
        return stats;
    }

    /// <summary>A watcher for OOM kills in the container's memory cgroup; null without a memory controller.</summary>
    public OomWatcher? WatchOom() => Route("memory") switch
    {
        V1Cgroup v => OomWatcher.OpenV1(v.Dir("memory")),
        V2Cgroup v => OomWatcher.OpenV2(v.Dir),
        _ => null,
    };

    /// <summary>How many processes the OOM killer has killed in the container (memory.oom_control / memory.events "oom_kill").</summary>
    public ulong OomKillCount() => Route("memory") switch
    {
        V1Cgroup v => CgroupFile.ReadKeyValues(Path.Combine(v.Dir("memory"), "memory.oom_control")).GetValueOrDefault("oom_kill"),
        V2Cgroup v => CgroupFile.ReadKeyValues(Path.Combine(v.Dir, "memory.events")).GetValueOrDefault("oom_kill"),
        _ => 0,
    };

    // ---- removal

    /// <summary>
    /// Removes the container's cgroup (and any cgroups it made below) in every hierarchy. The caller has killed
    /// the processes; while the last ones are still exiting the kernel says EBUSY, retried with backoff for up
    /// to a second. Throws naming every directory that stayed.
    /// </summary>
    public void Destroy()
    {
        var clock = Stopwatch.StartNew();
        var errors = new List<string>();
        foreach (var dir in paths.AllDirs)
            if (CgroupDirectory.Remove(dir, clock, CgroupDirectory.RemoveTimeout) is { } error)
                errors.Add(error);
        if (errors.Count > 0) throw new RuntimeException("remove cgroup: " + string.Join("; ", errors));
    }
}
