using NUnit.Framework;
using Runtime.Cgroups;
using Runtime.Spec;
using static Runtime.Tests.Cgroups.CgroupTestHost;

namespace Runtime.Tests.Cgroups;

/// <summary>
/// Limits written to this host's real cgroups and read back from the kernel's files. Each test works in its own
/// /runtime-test-&lt;guid&gt; in every hierarchy and removes it in teardown, whatever happened.
/// </summary>
[NonParallelizable]
public class HostResourceTests : HostCgroupTest
{
    private CgroupManager Create(LinuxResources? resources, CgroupPaths? paths = null) =>
        paths == null
            ? CgroupManager.Create(Layout, "/" + name, name, resources, warnings.Add)
            : CgroupManager.Create(Layout, paths, resources, warnings.Add);

    private string V1(string controller, string file) => Path.Combine(Layout.V1For(controller)!.MountPoint, name, file);

    private string Unified(string file) => Path.Combine(Layout.UnifiedMountPoint!, name, file);

    private static void RequireV1(string controller)
    {
        if (Layout.V1For(controller) == null) Assert.Ignore($"this host has no v1 {controller} hierarchy");
    }

    /// <summary>"major:minor" of a real block device, for throttle rules.</summary>
    private static string? BlockDevice() =>
        Directory.Exists("/sys/block")
            ? Directory.GetDirectories("/sys/block").Where(d => !Path.GetFileName(d).StartsWith("loop") && !Path.GetFileName(d).StartsWith("ram"))
                .Select(d => File.ReadAllText(Path.Combine(d, "dev")).Trim()).FirstOrDefault()
            : null;

    private ParkedProcess Park(string then)
    {
        var p = new ParkedProcess(then);
        processes.Add(p);
        return p;
    }

    [Test]
    public void CreateMakesTheCgroupInEveryHierarchy()
    {
        var m = Create(null);
        var expected = Layout.V1Hierarchies.Select(h => Path.Combine(h.MountPoint, name))
            .Concat(Layout.UnifiedMountPoint is { } u ? [Path.Combine(u, name)] : []).ToList();
        Assert.That(m.ToSavedPaths().AllDirs, Is.EquivalentTo(expected));
        Assert.That(DirsNamed(name), Is.EquivalentTo(expected));
        if (Layout.V1For("cpuset") != null)
        {
            Assert.That(Read(V1("cpuset", "cpuset.cpus")), Is.Not.Empty, "a v1 cpuset cgroup gets its parent's CPUs");
            Assert.That(Read(V1("cpuset", "cpuset.mems")), Is.Not.Empty);
        }
    }

    [Test]
    public void EveryV1ResourceIsWrittenAndReadBack()
    {
        foreach (var c in new[] { "memory", "cpu", "cpuset", "pids", "blkio" }) RequireV1(c);
        var dev = BlockDevice();
        var (major, minor) = dev == null ? (0L, 0L) : (long.Parse(dev.Split(':')[0]), long.Parse(dev.Split(':')[1]));
        var resources = new LinuxResources
        {
            Memory = new LinuxMemory
            {
                Limit = 64 << 20, Reservation = 32 << 20, Swap = 128 << 20, Kernel = 48 << 20, KernelTcp = 16 << 20,
                Swappiness = 30, DisableOomKiller = true,
            },
            Cpu = new LinuxCpu
            {
                Shares = 512, Quota = 50000, Period = 100000, Burst = 10000, RealtimePeriod = 1000000, RealtimeRuntime = 10000,
                Cpus = "0", Mems = "0",
            },
            Pids = new LinuxPids { Limit = 42 },
            BlockIO = new LinuxBlockIo
            {
                Weight = 500,
                ThrottleReadBpsDevice = dev == null ? null : [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = 1048576 }],
                ThrottleWriteIopsDevice = dev == null ? null : [new LinuxThrottleDevice { Major = major, Minor = minor, Rate = 100 }],
            },
        };
        Create(resources);

        Assert.That(Read(V1("memory", "memory.limit_in_bytes")), Is.EqualTo("67108864"));
        Assert.That(Read(V1("memory", "memory.memsw.limit_in_bytes")), Is.EqualTo("134217728"));
        Assert.That(Read(V1("memory", "memory.soft_limit_in_bytes")), Is.EqualTo("33554432"));
        Assert.That(Read(V1("memory", "memory.kmem.tcp.limit_in_bytes")), Is.EqualTo("16777216"));
        Assert.That(Read(V1("memory", "memory.swappiness")), Is.EqualTo("30"));
        Assert.That(Read(V1("memory", "memory.oom_control")), Does.Contain("oom_kill_disable 1"));
        // Kernel memory limits: honoured where the kernel still has them, a warning where it does not.
        var kmem = V1("memory", "memory.kmem.limit_in_bytes");
        if (!(File.Exists(kmem) && Read(kmem) == "50331648"))
            Assert.That(warnings, Has.Some.StartsWith("linux.resources.memory.kernel: not supported by this kernel"));

        Assert.That(Read(V1("cpu", "cpu.shares")), Is.EqualTo("512"));
        Assert.That(Read(V1("cpu", "cpu.cfs_quota_us")), Is.EqualTo("50000"));
        Assert.That(Read(V1("cpu", "cpu.cfs_period_us")), Is.EqualTo("100000"));
        if (File.Exists(V1("cpu", "cpu.cfs_burst_us"))) Assert.That(Read(V1("cpu", "cpu.cfs_burst_us")), Is.EqualTo("10000"));
        if (File.Exists(V1("cpu", "cpu.rt_runtime_us")))
        {
            Assert.That(Read(V1("cpu", "cpu.rt_period_us")), Is.EqualTo("1000000"));
            Assert.That(Read(V1("cpu", "cpu.rt_runtime_us")), Is.EqualTo("10000"));
        }
        Assert.That(Read(V1("cpuset", "cpuset.cpus")), Is.EqualTo("0"));
        Assert.That(Read(V1("cpuset", "cpuset.mems")), Is.EqualTo("0"));
        Assert.That(Read(V1("pids", "pids.max")), Is.EqualTo("42"));
        var weightFile = File.Exists(V1("blkio", "blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
        Assert.That(Read(V1("blkio", weightFile)), Does.Match(@"(^|\s)500$"));
        if (dev != null)
        {
            Assert.That(Read(V1("blkio", "blkio.throttle.read_bps_device")), Is.EqualTo($"{dev} 1048576"));
            Assert.That(Read(V1("blkio", "blkio.throttle.write_iops_device")), Is.EqualTo($"{dev} 100"));
        }
    }

    [Test]
    public void CpuIdleIsWritten()
    {
        RequireV1("cpu");
        if (!File.Exists(Path.Combine(Layout.V1For("cpu")!.MountPoint, "cpu.idle"))) Assert.Ignore("no cpu.idle on this kernel");
        Create(new LinuxResources { Cpu = new LinuxCpu { Idle = 1 } });
        Assert.That(Read(V1("cpu", "cpu.idle")), Is.EqualTo("1"));
    }

    [Test]
    public void HugepagesGoWhereTheHugetlbControllerIsHereTheUnifiedHierarchy()
    {
        if (!Conversions.HostHugePageSizes().Contains("2MB")) Assert.Ignore("no 2MB huge pages");
        var resources = new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 4 << 20 }] };
        Create(resources);
        if (Layout.V1For("hugetlb") != null)
        {
            Assert.That(Read(V1("hugetlb", "hugetlb.2MB.limit_in_bytes")), Is.EqualTo("4194304"));
            return;
        }
        Assert.That(Read(Path.Combine(Layout.UnifiedMountPoint!, "cgroup.subtree_control")).Split(' '), Does.Contain("hugetlb"));
        Assert.That(Read(Unified("cgroup.controllers")).Split(' '), Does.Contain("hugetlb"));
        Assert.That(Read(Unified("hugetlb.2MB.max")), Is.EqualTo("4194304"));
        if (File.Exists(Unified("hugetlb.2MB.rsvd.max")))
            Assert.That(Read(Unified("hugetlb.2MB.rsvd.max")), Is.EqualTo("4194304"), "reservations are limited too");
    }

    [Test]
    public void UnifiedKeysAreWrittenToTheCgroup2Directory()
    {
        if (Layout.UnifiedMountPoint == null) Assert.Ignore("no cgroup2 here");
        Create(new LinuxResources { Unified = new() { ["cgroup.max.depth"] = "2", ["cgroup.max.descendants"] = "7" } });
        Assert.That(Read(Unified("cgroup.max.depth")), Is.EqualTo("2"));
        Assert.That(Read(Unified("cgroup.max.descendants")), Is.EqualTo("7"));
    }

    [Test]
    public void UnifiedKeyOfAControllerBoundToV1IsAClearError()
    {
        if (Layout.Mode != CgroupMode.Hybrid || Layout.V1For("memory") == null) Assert.Ignore("needs hybrid with v1 memory");
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources { Unified = new() { ["memory.high"] = "1000000" } }));
        Assert.That(e!.Message, Does.StartWith($"linux.resources.unified[\"memory.high\"]: the memory controller is not available in {Unified("")}".TrimEnd('/')));
        Assert.That(DirsNamed(name), Is.Empty, "the half-made cgroup is removed");
    }

    [Test]
    public void DevicesAreWrittenInSpecOrderSoLaterRulesWin()
    {
        RequireV1("devices");
        var rules = new List<LinuxDeviceCgroup>
        {
            new() { Allow = false, Access = "rwm" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
            new() { Allow = false, Type = "c", Major = 1, Minor = 3, Access = "w" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "r" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "w" },
            new() { Allow = true, Type = "c", Access = "m" },
        };
        Create(new LinuxResources { Devices = rules });
        Assert.That(File.ReadAllLines(V1("devices", "devices.list")), Is.EquivalentTo(new[] { "c 1:3 rm", "c 1:5 rw", "c *:* m" }));
    }

    [Test]
    public void V1DeviceRulesAreEnforced()
    {
        RequireV1("devices");
        var m = Create(new LinuxResources
        {
            Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" }],
        });
        var p = Park("if true </dev/null; then echo null-ok; fi; if true </dev/zero; then echo zero-ok; else echo zero-denied; fi");
        m.Join(p.Pid);
        p.Release();
        var output = p.Output();
        Assert.That(output, Does.Contain("null-ok").And.Contain("zero-denied").And.Not.Contain("zero-ok"), output);
    }

    [Test]
    public void UpdateChangesOnlyWhatIsGivenAndSwitchesDeviceRulesWithoutDenyingAll()
    {
        RequireV1("memory");
        RequireV1("devices");
        RequireV1("pids");
        var m = Create(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20, Swap = 64 << 20 },
            Pids = new LinuxPids { Limit = 10 },
            Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" }],
        });
        // Raising memory above the current memsw limit needs memsw first: the manager orders the writes.
        m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 256 << 20, Swap = 512 << 20 } });
        Assert.That(Read(V1("memory", "memory.limit_in_bytes")), Is.EqualTo((256 << 20).ToString()));
        Assert.That(Read(V1("memory", "memory.memsw.limit_in_bytes")), Is.EqualTo((512 << 20).ToString()));
        Assert.That(Read(V1("pids", "pids.max")), Is.EqualTo("10"), "pids untouched");
        // Lowering: limit first.
        m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20, Swap = 32 << 20 } });
        Assert.That(Read(V1("memory", "memory.limit_in_bytes")), Is.EqualTo((32 << 20).ToString()));
        m.Update(new LinuxResources
        {
            Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" }],
        });
        Assert.That(File.ReadAllLines(V1("devices", "devices.list")), Is.EqualTo(new[] { "c 1:5 rwm" }));
        m.Update(new LinuxResources { Pids = new LinuxPids { Limit = -1 } });
        Assert.That(Read(V1("pids", "pids.max")), Is.EqualTo("max"));
    }

    [Test]
    public void CheckBeforeUpdateRefusesALimitBelowUsage()
    {
        RequireV1("memory");
        var m = Create(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 } });
        // A 4 MB shell variable: anonymous memory charged to the cgroup.
        var p = Park("x=$(head -c 4000000 /dev/zero | tr '\\0' a); sleep 100");
        m.Join(p.Pid);
        p.Release();
        var usage = V1("memory", "memory.usage_in_bytes");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (long.Parse(Read(usage)) < 4_000_000 && clock.Elapsed.TotalSeconds < 10) Thread.Sleep(10);
        var e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20, CheckBeforeUpdate = true } }));
        Assert.That(e!.Message, Does.StartWith("linux.resources.memory.limit: rejecting memory limit 1048576 <= usage "));
        Assert.That(Read(V1("memory", "memory.limit_in_bytes")), Is.EqualTo((64 << 20).ToString()));
    }

    [Test]
    public void ValueTheKernelRejectsNamesFieldFileAndErrnoAndRemovesTheCgroup()
    {
        RequireV1("cpuset");
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources { Cpu = new LinuxCpu { Cpus = "4095" } }));
        // The kernel says EINVAL or ERANGE depending on its version.
        Assert.That(e!.Message, Does.Match($"^linux\\.resources\\.cpu\\.cpus: write {V1("cpuset", "cpuset.cpus")}: E[A-Z]+ \\(.+\\)$"));
        Assert.That(DirsNamed(name), Is.Empty, "the half-made cgroup is removed from every hierarchy");
    }

    [Test]
    public void NegativeMemoryLimitIsRejectedByTheKernel()
    {
        RequireV1("memory");
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources { Memory = new LinuxMemory { Limit = -5 } }));
        Assert.That(e!.Message, Is.EqualTo($"linux.resources.memory.limit: write {V1("memory", "memory.limit_in_bytes")}: EINVAL (Invalid argument)"));
        Assert.That(DirsNamed(name), Is.Empty);
    }

    [Test]
    public void ControllerMissingOnThisHostIsAClearError()
    {
        if (Layout.V1For("rdma") != null) Assert.Ignore("this host has rdma");
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources
        {
            Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaHandles = 3 } },
        }));
        Assert.That(e!.Message, Does.StartWith("linux.resources.rdma: the rdma cgroup controller is not available on this host"));
        Assert.That(DirsNamed(name), Is.Empty);
    }

    [Test]
    public void NetClsWhereItIsNotMountedIsAnErrorOnAV1Host()
    {
        if (Layout.V1For("net_cls") != null || Layout.Mode == CgroupMode.V2) Assert.Ignore("net_cls is mounted here, or a v2 host");
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources { Network = new LinuxNetwork { ClassId = 0x100001 } }));
        Assert.That(e!.Message, Does.StartWith("linux.resources.network.classID: the net_cls cgroup controller is not available on this host"));
    }

    [Test]
    public void UnknownHugePageSizeNamesWhatTheHostHas()
    {
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources
        {
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "3MB", Limit = 1 }],
        }));
        Assert.That(e!.Message, Does.StartWith("linux.resources.hugepageLimits[0].pageSize: this host has no 3MB huge pages (it has: "));
        Assert.That(DirsNamed(name), Is.Empty);
    }

    [Test]
    public void DeviceRuleTheCgroupCannotExpressIsRefusedBeforeAnythingIsMade()
    {
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources
        {
            Devices = [new() { Allow = true, Type = "c", Access = "rwm" }, new() { Allow = false, Type = "c", Major = 1, Minor = 3, Access = "w" }],
        }));
        Assert.That(e!.Message, Does.StartWith("linux.resources.devices[1]: \"c 1:3 w\" (deny) cannot be applied"));
        Assert.That(DirsNamed(name), Is.Empty);
    }

    [Test]
    public void LeafWeightOnAKernelWithoutCfqIsAWarning()
    {
        RequireV1("blkio");
        if (File.Exists(Path.Combine(Layout.V1For("blkio")!.MountPoint, "blkio.leaf_weight"))) Assert.Ignore("CFQ present");
        Create(new LinuxResources { BlockIO = new LinuxBlockIo { LeafWeight = 300 } });
        Assert.That(warnings, Has.Exactly(1).StartsWith("linux.resources.blockIO.leafWeight: leaf weights went with the CFQ I/O scheduler"));
    }

    [Test]
    public void ACgroupWithProcessesIsNotReused()
    {
        var m = Create(null);
        var p = Park("exec sleep 100");
        m.Join(p.Pid);
        var e = Assert.Throws<RuntimeException>(() => Create(null));
        Assert.That(e!.Message, Does.StartWith("container's cgroup is not empty: 1 process(es) found"));
        Assert.That(Directory.Exists(m.ToSavedPaths().AllDirs.First()), "the refusal must not remove the other container's cgroup");
    }
}
