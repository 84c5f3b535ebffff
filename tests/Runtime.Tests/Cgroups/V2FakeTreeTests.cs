using NUnit.Framework;
using Runtime.Cgroups;
using Runtime.Spec;

namespace Runtime.Tests.Cgroups;

/// <summary>
/// The pure cgroup v2 paths against a fake cgroup2 tree (plain directories and files laid out like the kernel's),
/// so they run on any host: what gets written where, conversions, controller enabling, freezer, stats, OOM.
/// The same code runs against a real kernel in <see cref="HostLifecycleTests"/> (this host's cgroup2 mount) and
/// in the cg2vm lane.
/// </summary>
public class V2FakeTreeTests
{
    private const string AllControllers = "cpuset cpu io memory hugetlb pids rdma misc";
    private string root = "";
    private string leaf = "";
    private readonly List<string> warnings = [];

    private static readonly string[] KernelFiles =
    [
        "cgroup.procs", "cgroup.freeze", "cgroup.events", "cgroup.kill", "cgroup.type", "cgroup.max.depth",
        "memory.max", "memory.swap.max", "memory.low", "memory.high", "memory.current", "memory.stat", "memory.events",
        "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpu.stat", "cpuset.cpus", "cpuset.mems",
        "pids.max", "pids.current", "io.weight", "io.max", "io.stat", "rdma.max",
        "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.2MB.current", "hugetlb.2MB.rsvd.current", "hugetlb.2MB.events",
    ];

    [SetUp]
    public void SetUp()
    {
        root = Path.Combine(Path.GetTempPath(), "runtime-fake-cg2-" + Guid.NewGuid().ToString("N"));
        leaf = Path.Combine(root, "ctr");
        Directory.CreateDirectory(leaf);
        File.WriteAllText(Path.Combine(root, "cgroup.controllers"), AllControllers + "\n");
        File.WriteAllText(Path.Combine(root, "cgroup.subtree_control"), "");
        File.WriteAllText(Path.Combine(leaf, "cgroup.controllers"), AllControllers + "\n");
        foreach (var f in KernelFiles) File.WriteAllText(Path.Combine(leaf, f), "");
        File.WriteAllText(Path.Combine(leaf, "cgroup.freeze"), "0\n");
        File.WriteAllText(Path.Combine(leaf, "cpu.max"), "max 100000\n");
        warnings.Clear();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(root, recursive: true);

    private CgroupLayout Layout => CgroupLayout.Parse($"50 1 0:40 / {root} rw - cgroup2 cgroup2 rw\n");

    private CgroupManager Create(LinuxResources? resources) =>
        CgroupManager.Create(Layout, "/ctr", "ctr", resources, warnings.Add);

    private string Leaf(string file) => File.ReadAllText(Path.Combine(leaf, file)).Trim();

    private void Put(string file, string content) => File.WriteAllText(Path.Combine(leaf, file), content);

    [Test]
    public void CreateEnablesTheParentsControllersForTheNewCgroup()
    {
        var m = Create(null);
        Assert.That(File.ReadAllText(Path.Combine(root, "cgroup.subtree_control")),
            Is.EqualTo("+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc"));
        Assert.That(m.ToSavedPaths().Unified, Is.EqualTo(leaf));
        Assert.That(m.ToSavedPaths().V1, Is.Empty);
    }

    [Test]
    public void NestedPathsEnableControllersOnEveryAncestorAndCreateTheDirectories()
    {
        File.WriteAllText(Path.Combine(root, "cgroup.controllers"), "cpu memory\n");
        // The fake kernel does not populate new directories; the intermediate one gets a controllers file
        // only once made, so enabling on it is tried but finds nothing to enable.
        var m = CgroupManager.Create(Layout, "/pod/ctr2", "ctr2", null, warnings.Add);
        Assert.That(Directory.Exists(Path.Combine(root, "pod", "ctr2")));
        Assert.That(File.ReadAllText(Path.Combine(root, "cgroup.subtree_control")), Is.EqualTo("+cpu +memory"));
        Assert.That(m.ToSavedPaths().Unified, Is.EqualTo(Path.Combine(root, "pod", "ctr2")));
    }

    [Test]
    public void ResourcesAreConvertedAndWritten()
    {
        Create(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 100 << 20, Swap = 300 << 20, Reservation = 50 << 20 },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 20000, Period = 50000, Burst = 1000, Idle = 0, Cpus = "0-1", Mems = "0" },
            Pids = new LinuxPids { Limit = 99 },
            BlockIO = new LinuxBlockIo
            {
                Weight = 500,
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1000 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 0 }],
            },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 8 << 20 }],
            Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 100 } },
        });
        Assert.That(Leaf("memory.max"), Is.EqualTo((100 << 20).ToString()));
        Assert.That(Leaf("memory.swap.max"), Is.EqualTo((200 << 20).ToString()), "v2 swap is swap alone");
        Assert.That(Leaf("memory.low"), Is.EqualTo((50 << 20).ToString()));
        Assert.That(Leaf("cpu.weight"), Is.EqualTo("100"), "1024 shares is the default weight");
        Assert.That(Leaf("cpu.max"), Is.EqualTo("20000 50000"));
        Assert.That(Leaf("cpu.max.burst"), Is.EqualTo("1000"));
        Assert.That(Leaf("cpu.idle"), Is.EqualTo("0"));
        Assert.That(Leaf("cpuset.cpus"), Is.EqualTo("0-1"));
        Assert.That(Leaf("cpuset.mems"), Is.EqualTo("0"));
        Assert.That(Leaf("pids.max"), Is.EqualTo("99"));
        Assert.That(Leaf("io.weight"), Is.EqualTo("4950"), "blkio 10-1000 scaled to io 1-10000");
        Assert.That(Leaf("io.max"), Is.EqualTo("8:16 wiops=max"), "the last io.max line written; 0 lifts the limit");
        Assert.That(Leaf("hugetlb.2MB.max"), Is.EqualTo((8 << 20).ToString()));
        Assert.That(Leaf("hugetlb.2MB.rsvd.max"), Is.EqualTo((8 << 20).ToString()));
        Assert.That(Leaf("rdma.max"), Is.EqualTo("mlx5_0 hca_handle=3 hca_object=100"));
        Assert.That(warnings, Is.Empty);
    }

    [Test]
    public void BfqWeightIsUsedAsIsWhereThePresent()
    {
        Put("io.bfq.weight", "");
        Create(new LinuxResources { BlockIO = new LinuxBlockIo { Weight = 500 } });
        Assert.That(Leaf("io.bfq.weight"), Is.EqualTo("500"));
        Assert.That(Leaf("io.weight"), Is.Empty);
    }

    [Test]
    public void UnlimitedMemoryMeansUnlimitedSwapAndWithoutSwapAccountingThatIsFine()
    {
        File.Delete(Path.Combine(leaf, "memory.swap.max"));
        Create(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.That(Leaf("memory.max"), Is.EqualTo("max"));
    }

    [Test]
    public void UpdatingSwapAloneIsRelativeToTheMemoryLimitInForce()
    {
        var m = Create(new LinuxResources { Memory = new LinuxMemory { Limit = 100 << 20 } });
        m.Update(new LinuxResources { Memory = new LinuxMemory { Swap = 150 << 20 } });
        Assert.That(Leaf("memory.swap.max"), Is.EqualTo((50 << 20).ToString()));
        Put("memory.max", "max\n");
        m.Update(new LinuxResources { Memory = new LinuxMemory { Swap = 150 << 20 } });
        Assert.That(Leaf("memory.swap.max"), Is.EqualTo((150 << 20).ToString()), "with no memory limit, swap is taken as is");
    }

    [Test]
    public void UpdatingThePeriodAloneKeepsTheQuota()
    {
        var m = Create(new LinuxResources { Cpu = new LinuxCpu { Quota = 30000, Period = 100000 } });
        m.Update(new LinuxResources { Cpu = new LinuxCpu { Period = 200000 } });
        Assert.That(Leaf("cpu.max"), Is.EqualTo("30000 200000"));
        m.Update(new LinuxResources { Cpu = new LinuxCpu { Quota = -1 } });
        Assert.That(Leaf("cpu.max"), Is.EqualTo("max 200000"));
    }

    [Test]
    public void V1OnlyValuesAreWarnedAboutNotSilentlyDropped()
    {
        Create(new LinuxResources
        {
            Memory = new LinuxMemory { Kernel = 1 << 20, KernelTcp = 1 << 20, Swappiness = 10, DisableOomKiller = true },
            Cpu = new LinuxCpu { RealtimeRuntime = 1000 },
            BlockIO = new LinuxBlockIo { LeafWeight = 100 },
            Network = new LinuxNetwork { ClassId = 1 },
        });
        Assert.That(warnings.Select(w => w[..w.IndexOf(':')]), Is.EquivalentTo(new[]
        {
            "linux.resources.memory.kernel", "linux.resources.memory.kernelTCP", "linux.resources.memory.swappiness",
            "linux.resources.memory.disableOOMKiller", "linux.resources.cpu.realtimeRuntime/realtimePeriod",
            "linux.resources.blockIO.leafWeight", "linux.resources.network.classID",
        }));
    }

    [Test]
    public void UnifiedKeysAreWrittenAsGivenAndBadOnesRefused()
    {
        var m = Create(new LinuxResources { Unified = new() { ["memory.high"] = "5000000", ["cgroup.max.depth"] = "3" } });
        Assert.That(Leaf("memory.high"), Is.EqualTo("5000000"));
        Assert.That(Leaf("cgroup.max.depth"), Is.EqualTo("3"));
        var e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Unified = new() { ["../x.max"] = "1" } }));
        Assert.That(e!.Message, Is.EqualTo("linux.resources.unified[\"../x.max\"]: must be a cgroup file name like \"memory.high\""));
        e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Unified = new() { ["foo.bar"] = "1" } }));
        Assert.That(e!.Message, Does.StartWith($"linux.resources.unified[\"foo.bar\"]: the foo controller is not available in {leaf}"));
    }

    [Test]
    public void ControllerNotEnabledForTheCgroupIsAClearError()
    {
        File.WriteAllText(Path.Combine(leaf, "cgroup.controllers"), "cpu memory\n");
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources { Pids = new LinuxPids { Limit = 5 } }));
        Assert.That(e!.Message, Is.EqualTo($"linux.resources.pids: the pids cgroup controller is not available on this host (cgroup v2 enables cpu, memory in {leaf})"));
    }

    [Test]
    public void SwapBelowMemoryIsRefusedBeforeAnyWrite()
    {
        var e = Assert.Throws<RuntimeException>(() => Create(new LinuxResources { Memory = new LinuxMemory { Limit = 200, Swap = 100 } }));
        Assert.That(e!.Message, Does.StartWith("linux.resources.memory.swap: memory+swap limit 100 must be >= the memory limit 200"));
        Assert.That(Leaf("memory.max"), Is.Empty);
    }

    [Test]
    public void PidsLimitZeroIsTakenAsUnsetBecauseTheModelCannotTellItFromAbsent()
    {
        Put("pids.max", "max\n");
        Create(new LinuxResources { Pids = new LinuxPids() });
        Assert.That(Leaf("pids.max"), Is.EqualTo("max"));
    }

    [Test]
    public void JoinWritesThePid()
    {
        var m = Create(null);
        m.Join(12345);
        Assert.That(Leaf("cgroup.procs"), Is.EqualTo("12345"));
    }

    [Test]
    public void FreezeWaitsForTheKernelToReportFrozen()
    {
        var m = Create(null);
        Put("cgroup.events", "populated 1\nfrozen 1\n");
        m.Freeze(TimeSpan.FromSeconds(1));
        Assert.That(Leaf("cgroup.freeze"), Is.EqualTo("1"));
        Assert.That(m.State, Is.EqualTo(FreezerState.Frozen));
        m.Thaw();
        Assert.That(Leaf("cgroup.freeze"), Is.EqualTo("0"));
        Assert.That(m.State, Is.EqualTo(FreezerState.Thawed));
    }

    [Test]
    public void FreezeThatNeverCompletesIsRolledBack()
    {
        var m = Create(null);
        Put("cgroup.events", "populated 1\nfrozen 0\n");
        var e = Assert.Throws<RuntimeException>(() => m.Freeze(TimeSpan.FromMilliseconds(100)));
        Assert.That(e!.Message, Does.StartWith($"pause: {leaf} did not freeze within 0.1 s").And.EndsWith("thawed it again"));
        Assert.That(Leaf("cgroup.freeze"), Is.EqualTo("0"));
    }

    [Test]
    public void KillAllWritesCgroupKillForSigkill()
    {
        var m = Create(null);
        m.KillAll(9);
        Assert.That(Leaf("cgroup.kill"), Is.EqualTo("1"));
    }

    [Test]
    public void StatsAreReadFromCgroup2Files()
    {
        var m = Create(null);
        Put("cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\n");
        Put("memory.stat", "anon 4096\nfile 8192\n");
        Put("memory.current", "12288\n");
        Put("memory.max", "max\n");
        Put("memory.swap.max", "max\n");
        Put("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        Put("pids.current", "4\n");
        Put("pids.max", "max\n");
        Put("io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
        Put("hugetlb.2MB.rsvd.current", "2097152\n");
        Put("hugetlb.2MB.events", "max 5\n");
        var s = m.Stats();
        Assert.That(s.Cpu.Usage.Total, Is.EqualTo(1_500_000UL));
        Assert.That(s.Cpu.Usage.User, Is.EqualTo(1_000_000UL));
        Assert.That(s.Cpu.Usage.Kernel, Is.EqualTo(500_000UL));
        Assert.That((s.Cpu.Throttling.Periods, s.Cpu.Throttling.ThrottledPeriods, s.Cpu.Throttling.ThrottledTime), Is.EqualTo((7UL, 2UL, 30_000UL)));
        Assert.That(s.Memory.Cache, Is.EqualTo(8192UL));
        Assert.That(s.Memory.Raw, Is.EqualTo(new Dictionary<string, ulong> { ["anon"] = 4096, ["file"] = 8192 }));
        Assert.That((s.Memory.Usage.Usage, s.Memory.Usage.Limit, s.Memory.Usage.Failcnt), Is.EqualTo((12288UL, ulong.MaxValue, 3UL)));
        Assert.That(s.Memory.Swap.Limit, Is.EqualTo(ulong.MaxValue));
        Assert.That((s.Pids.Current, s.Pids.Limit), Is.EqualTo((4UL, 0UL)), "no limit is 0, as runc reports it");
        Assert.That(s.Blkio.IoServiceBytesRecursive!.Select(e => $"{e.Major}:{e.Minor} {e.Op} {e.Value}"), Is.EqualTo(new[] { "8:0 Read 100", "8:0 Write 200" }));
        Assert.That(s.Blkio.IoServicedRecursive!.Select(e => $"{e.Major}:{e.Minor} {e.Op} {e.Value}"), Is.EqualTo(new[] { "8:0 Read 1", "8:0 Write 2" }));
        if (Conversions.HostHugePageSizes().Contains("2MB"))
            Assert.That((s.Hugetlb["2MB"].Usage, s.Hugetlb["2MB"].Failcnt), Is.EqualTo((2097152UL, 5UL)));
        Assert.That(m.OomKillCount(), Is.EqualTo(1UL));
    }

    [Test]
    public void OomWatcherCountsNewOomKillsInMemoryEvents()
    {
        Put("memory.events", "oom 1\noom_kill 1\n");
        var m = Create(null);
        using var watcher = m.WatchOom()!;
        Assert.That(watcher.ReadEvents(), Is.EqualTo(0), "kills before the watch are not new");
        Put("memory.events", "oom 3\noom_kill 3\n");
        Assert.That(watcher.Wait(TimeSpan.FromSeconds(5)), Is.EqualTo(2));
        Assert.That(watcher.ReadEvents(), Is.EqualTo(0));
    }

    [Test]
    public void SavedPathsReopenTheSameCgroup()
    {
        var saved = Create(new LinuxResources { Pids = new LinuxPids { Limit = 3 } }).ToSavedPaths();
        var reopened = CgroupManager.FromSavedPaths(saved, warnings.Add);
        reopened.Update(new LinuxResources { Pids = new LinuxPids { Limit = 4 } });
        Assert.That(Leaf("pids.max"), Is.EqualTo("4"));
    }
}
