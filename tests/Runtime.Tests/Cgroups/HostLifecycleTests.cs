using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Runtime.Cgroups;
using Runtime.Cgroups.Devices;
using Runtime.Linux;
using Runtime.Spec;
using static Runtime.Tests.Cgroups.CgroupTestHost;

namespace Runtime.Tests.Cgroups;

/// <summary>
/// Real processes in real cgroups: join, freeze/thaw, kill --all, ps, stats, OOM events, removal, and the cgroup2
/// code paths (eBPF device filter, cgroup.freeze, cgroup.kill) on this host's cgroup2 mount.
/// </summary>
[NonParallelizable]
public class HostLifecycleTests : HostCgroupTest
{
    private ParkedProcess Park(string then)
    {
        var p = new ParkedProcess(then);
        processes.Add(p);
        return p;
    }

    /// <summary>A manager over every hierarchy of this host (hybrid here).</summary>
    private CgroupManager Create(LinuxResources? resources = null) =>
        CgroupManager.Create(Layout, "/" + name, name, resources, warnings.Add);

    /// <summary>A manager over this host's cgroup2 mount only: the pure-v2 code paths against a real kernel.</summary>
    private CgroupManager CreateV2Only(LinuxResources? resources = null)
    {
        if (Layout.UnifiedMountPoint == null) Assert.Ignore("no cgroup2 mount");
        var v2Layout = CgroupLayout.Parse($"1 0 0:1 / {Layout.UnifiedMountPoint} rw - cgroup2 cgroup2 rw\n");
        return CgroupManager.Create(v2Layout, "/" + name, name, resources, warnings.Add);
    }

    /// <summary>A manager over the v1 hierarchies only: the v1 freeze-signal-thaw path.</summary>
    private CgroupManager CreateV1Only()
    {
        if (Layout.V1Hierarchies.Count == 0) Assert.Ignore("no cgroup v1");
        var v1Layout = CgroupLayout.Parse(string.Concat(Layout.V1Hierarchies.Select((h, i) =>
            $"{i + 1} 0 0:{i + 1} {h.Root} {h.MountPoint} rw - cgroup cgroup rw,{h.Name}\n")));
        return CgroupManager.Create(v1Layout, "/" + name, name, null, warnings.Add);
    }

    private ParkedProcess StartIn(CgroupManager m, string then)
    {
        var p = Park(then);
        m.Join(p.Pid);
        p.Release();
        return p;
    }

    private static void WaitUntil(Func<bool> condition, string what, double seconds = 5)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds) Assert.Fail($"timed out waiting for {what}");
            Thread.Sleep(10);
        }
    }

    [Test]
    public void JoinPutsTheProcessInEveryHierarchy()
    {
        var m = Create();
        var p = Park("exec sleep 100");
        m.Join(p.Pid);
        var own = File.ReadAllText($"/proc/{p.Pid}/cgroup");
        foreach (var h in Layout.V1Hierarchies)
            Assert.That(own, Does.Contain($":{h.Name}:/{name}\n"), own);
        if (Layout.UnifiedMountPoint != null) Assert.That(own, Does.Contain($"0::/{name}\n"), own);
        Assert.That(m.Pids(), Is.EqualTo(new[] { p.Pid }));
    }

    [Test]
    public void FreezeStopsARealProcessAndThawResumesIt()
    {
        var m = Create();
        var p = StartIn(m, "exec sleep 100");
        m.Freeze();
        Assert.That(m.State, Is.EqualTo(FreezerState.Frozen));
        if (Layout.V1For("freezer") is { } f)
            Assert.That(Read(Path.Combine(f.MountPoint, name, "freezer.state")), Is.EqualTo("FROZEN"));
        m.Thaw();
        Assert.That(m.State, Is.EqualTo(FreezerState.Thawed));
        Assert.That(p.HasExited, Is.False);
    }

    [Test]
    public void Cgroup2FreezeWaitsForFrozenAndThaws()
    {
        var m = CreateV2Only();
        StartIn(m, "exec sleep 100");
        m.Freeze();
        var dir = m.ToSavedPaths().Unified!;
        Assert.That(File.ReadAllText(Path.Combine(dir, "cgroup.events")), Does.Contain("frozen 1"));
        Assert.That(m.State, Is.EqualTo(FreezerState.Frozen));
        m.Thaw();
        Assert.That(File.ReadAllText(Path.Combine(dir, "cgroup.events")), Does.Contain("frozen 0"));
        Assert.That(m.State, Is.EqualTo(FreezerState.Thawed));
    }

    [Test]
    public void KillAllKillsEveryProcessIncludingChildren()
    {
        var m = Create();
        var p = StartIn(m, "sleep 100 & sleep 100 & exec sleep 100");
        WaitUntil(() => m.Pids().Count == 3, "three processes");
        m.KillAll(Libc.SIGKILL);
        WaitUntil(() => m.Pids().Count == 0, "every process to die");
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public void V1KillAllFreezesSignalsAndThaws()
    {
        var m = CreateV1Only();
        var p = StartIn(m, "sleep 100 & exec sleep 100");
        WaitUntil(() => m.Pids().Count == 2, "two processes");
        m.KillAll(Libc.SIGTERM);
        WaitUntil(() => m.Pids().Count == 0, "every process to die");
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(m.State, Is.EqualTo(FreezerState.Thawed), "thawed after signalling");
    }

    [Test]
    public void KillAllOfAPausedContainerKeepsItPausedUnlessSigkill()
    {
        var m = Create();
        var p = StartIn(m, "exec sleep 100");
        WaitUntil(() => m.Pids().Count == 1, "the process");
        m.Freeze();
        m.KillAll(Libc.SIGTERM);
        Assert.That(m.State, Is.EqualTo(FreezerState.Frozen));
        Assert.That(m.Pids(), Has.Count.EqualTo(1), "a frozen process cannot act on its signal yet");
        m.Thaw();
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(5)), Is.True, "the pending SIGTERM lands on resume");
    }

    [Test]
    public void SigkillToAPausedContainerKillsIt()
    {
        var m = Create();
        var p = StartIn(m, "sleep 100 & exec sleep 100");
        WaitUntil(() => m.Pids().Count == 2, "two processes");
        m.Freeze();
        m.KillAll(Libc.SIGKILL);
        WaitUntil(() => m.Pids().Count == 0, "every process to die");
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(5)), Is.True);
        Assert.DoesNotThrow(() => m.Destroy());
    }

    [Test]
    public void PidsIncludesCgroupsTheContainerMadeBelowAndDestroyRemovesThem()
    {
        var m = Create();
        var a = StartIn(m, "exec sleep 100");
        var b = Park("exec sleep 100");
        m.Join(b.Pid);
        // The container makes its own sub-cgroup and moves a process there.
        var sub = Path.Combine(m.ToSavedPaths().AllDirs.Last(), "sub");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, "cgroup.procs"), b.Pid.ToString());
        b.Release();
        Assert.That(m.Pids(), Is.EquivalentTo(new[] { a.Pid, b.Pid }));

        m.KillAll(Libc.SIGKILL);
        m.Destroy();
        Assert.That(DirsNamed(name), Is.Empty);
        Assert.That(m.Exists, Is.False);
    }

    [Test]
    public void DestroyLeavesNothingInAnyHierarchy()
    {
        var m = Create(new LinuxResources { Pids = new LinuxPids { Limit = 10 } });
        Assert.That(DirsNamed(name), Is.Not.Empty);
        var saved = m.ToSavedPaths();
        CgroupManager.FromSavedPaths(saved).Destroy();
        Assert.That(DirsNamed(name), Is.Empty);
        Assert.DoesNotThrow(() => CgroupManager.FromSavedPaths(saved).Destroy(), "destroying twice is fine (delete --force)");
    }

    [Test]
    public void DestroyWithALiveProcessGivesUpAfterASecondNamingIt()
    {
        var m = Create();
        var p = StartIn(m, "exec sleep 100");
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<RuntimeException>(() => m.Destroy());
        Assert.That(clock.Elapsed.TotalSeconds, Is.InRange(0.9, 3));
        Assert.That(e!.Message, Does.StartWith("remove cgroup: rmdir ").And.Contain("EBUSY").And.Contain($"still in it: {p.Pid}"));
    }

    [Test]
    public void DestroyRetriesWhileTheLastProcessesExit()
    {
        var m = Create();
        StartIn(m, "sleep 100 & sleep 100 & exec sleep 100");
        WaitUntil(() => m.Pids().Count == 3, "three processes");
        m.KillAll(Libc.SIGKILL);
        Assert.DoesNotThrow(() => m.Destroy());
        Assert.That(DirsNamed(name), Is.Empty);
    }

    [Test]
    public void OomKillIsReported()
    {
        if (Layout.V1For("memory") == null && Layout.Mode != CgroupMode.V2) Assert.Ignore("no memory controller");
        var m = Create(new LinuxResources { Memory = new LinuxMemory { Limit = 16 << 20, Swap = 16 << 20 } });
        using var watcher = m.WatchOom()!;
        Assert.That(watcher, Is.Not.Null);
        Assert.That(watcher.ReadEvents(), Is.EqualTo(0));
        // tail keeps the whole "line" of /dev/zero in memory until the OOM killer stops it.
        var p = StartIn(m, "exec tail /dev/zero");
        Assert.That(watcher.Wait(TimeSpan.FromSeconds(30)), Is.GreaterThanOrEqualTo(1));
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(m.OomKillCount(), Is.GreaterThanOrEqualTo(1UL));
    }

    [Test]
    public void StatsHaveRuncsShapeAndTheContainersNumbers()
    {
        var resources = new LinuxResources
        {
            Pids = new LinuxPids { Limit = 50 },
            Memory = new LinuxMemory { Limit = 64 << 20 },
        };
        var m = Create(resources);
        StartIn(m, "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; exec sleep 100");
        WaitUntil(() => File.ReadAllText($"/proc/{m.Pids()[0]}/comm").Trim() == "sleep", "the busy loop to finish");
        var stats = m.Stats();
        Assert.That(stats.Pids.Current, Is.EqualTo(1UL));
        Assert.That(stats.Pids.Limit, Is.EqualTo(50UL));
        Assert.That(stats.Memory.Usage.Limit, Is.EqualTo((ulong)(64 << 20)));
        Assert.That(stats.Memory.Usage.Usage, Is.GreaterThan(0UL));
        Assert.That(stats.Cpu.Usage.Total, Is.GreaterThan(0UL));
        if (Layout.V1For("cpuacct") != null) Assert.That(stats.Cpu.Usage.PerCpu, Has.Count.EqualTo(Environment.ProcessorCount));
        foreach (var size in Conversions.HostHugePageSizes())
            Assert.That(stats.Hugetlb.ContainsKey(size), $"hugetlb {size} (from {(Layout.V1For("hugetlb") != null ? "v1" : "cgroup2")})");

        using var doc = JsonDocument.Parse(CgroupEvent.StatsJson("ctr", stats));
        var root = doc.RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "type", "id", "data" }));
        Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("stats"));
        var data = root.GetProperty("data");
        Assert.That(data.EnumerateObject().Select(p => p.Name),
            Is.EqualTo(new[] { "cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces" }));
        Assert.That(data.GetProperty("network_interfaces").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(data.GetProperty("intel_rdt").EnumerateObject(), Is.Empty);
        Assert.That(data.GetProperty("pids").GetRawText(), Is.EqualTo("{\"current\":1,\"limit\":50}"));
        Assert.That(data.GetProperty("memory").GetProperty("usage").GetProperty("limit").GetUInt64(), Is.EqualTo((ulong)(64 << 20)));
        Assert.That(data.GetProperty("cpu").GetProperty("usage").EnumerateObject().Select(p => p.Name).Where(n => n is "kernel" or "user"),
            Is.EqualTo(new[] { "kernel", "user" }), "kernel and user are always printed");
        Assert.That(CgroupEvent.OomJson("ctr"), Is.EqualTo("{\"type\":\"oom\",\"id\":\"ctr\"}"));
    }

    [Test]
    public void Cgroup2DeviceFilterDeniesWhatTheRulesDoNotAllow()
    {
        var m = CreateV2Only(new LinuxResources
        {
            Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" }],
        });
        const string probe = "if true </dev/null; then echo null-ok; fi; if true </dev/zero; then echo zero-ok; else echo zero-denied; fi";
        var before = StartIn(m, probe).Output();
        Assert.That(before, Does.Contain("null-ok").And.Contain("zero-denied").And.Not.Contain("zero-ok"), before);

        // Update replaces the program: one filter attached, now allowing /dev/zero too.
        m.Update(new LinuxResources
        {
            Devices = [new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Access = "rw" }],
        });
        var after = StartIn(m, probe).Output();
        Assert.That(after, Does.Contain("null-ok").And.Contain("zero-ok"), after);
        Assert.That(AttachedDevicePrograms(m.ToSavedPaths().Unified!), Is.EqualTo(1));
    }

    private static int AttachedDevicePrograms(string dir)
    {
        int fd = Libc.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        try { return DeviceProgramLoader.QueryAttached(fd).Count; }
        finally { Libc.Close(fd); }
    }

    [Test]
    public void Cgroup2KillAllUsesCgroupKill()
    {
        var m = CreateV2Only();
        if (!File.Exists(Path.Combine(m.ToSavedPaths().Unified!, "cgroup.kill"))) Assert.Ignore("no cgroup.kill (Linux < 5.14)");
        var p = StartIn(m, "sleep 100 & exec sleep 100");
        WaitUntil(() => m.Pids().Count == 2, "two processes");
        m.KillAll(Libc.SIGKILL);
        WaitUntil(() => m.Pids().Count == 0, "every process to die");
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(5)), Is.True);
        m.Destroy();
        Assert.That(DirsNamed(name), Is.Empty);
    }

    [Test]
    public void Cgroup2HugetlbAndPidsLimitsOnTheRealKernel()
    {
        var m = CreateV2Only(new LinuxResources());
        var v2 = m.ToSavedPaths().Unified!;
        var controllers = Read(Path.Combine(v2, "cgroup.controllers")).Split(' ');
        var resources = new LinuxResources();
        if (controllers.Contains("hugetlb") && Conversions.HostHugePageSizes().Contains("2MB"))
            resources.HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 2 << 20 }];
        if (controllers.Contains("pids")) resources.Pids = new LinuxPids { Limit = 7 };
        if (resources.HugepageLimits == null && resources.Pids == null) Assert.Ignore("neither hugetlb nor pids in cgroup2 here");
        m.Update(resources);
        if (resources.HugepageLimits != null) Assert.That(Read(Path.Combine(v2, "hugetlb.2MB.max")), Is.EqualTo("2097152"));
        if (resources.Pids != null) Assert.That(Read(Path.Combine(v2, "pids.max")), Is.EqualTo("7"));
        var stats = m.Stats();
        if (resources.HugepageLimits != null) Assert.That(stats.Hugetlb.Keys, Does.Contain("2MB"));
    }
}
