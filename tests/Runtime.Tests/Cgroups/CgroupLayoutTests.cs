using NUnit.Framework;
using Runtime.Cgroups;

namespace Runtime.Tests.Cgroups;

public class CgroupLayoutTests
{
    // This machine's mountinfo (hybrid: v1 controllers, cgroup2 at /sys/fs/cgroup/unified).
    private const string Hybrid = """
        23 1 254:0 / / rw,relatime - ext4 /dev/vda rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    [Test]
    public void HybridHostHasEveryV1HierarchyAndTheUnifiedMount()
    {
        var layout = CgroupLayout.Parse(Hybrid);
        Assert.That(layout.Mode, Is.EqualTo(CgroupMode.Hybrid));
        Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/sys/fs/cgroup/unified"));
        Assert.That(layout.V1Hierarchies.Select(h => h.Name),
            Is.EqualTo(new[] { "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd" }));
        Assert.That(layout.V1For("memory")!.MountPoint, Is.EqualTo("/sys/fs/cgroup/memory"));
        Assert.That(layout.V1For("hugetlb"), Is.Null, "hugetlb is not a v1 mount here: it lives in cgroup2");
    }

    [Test]
    public void PureV2()
    {
        var layout = CgroupLayout.Parse("""
            22 1 254:0 / / rw - ext4 /dev/vda rw
            28 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """);
        Assert.That(layout.Mode, Is.EqualTo(CgroupMode.V2));
        Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/sys/fs/cgroup"));
        Assert.That(layout.V1Hierarchies, Is.Empty);
    }

    [Test]
    public void V1WithCoMountedControllersAndMountFlags()
    {
        var layout = CgroupLayout.Parse("""
            30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
            31 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio
            32 25 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
            33 25 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory,clone_children
            """);
        Assert.That(layout.Mode, Is.EqualTo(CgroupMode.V1));
        Assert.That(layout.UnifiedMountPoint, Is.Null);
        Assert.That(layout.V1For("cpuacct")!.Name, Is.EqualTo("cpu,cpuacct"));
        Assert.That(layout.V1For("cpuacct")!.MountPoint, Is.EqualTo("/sys/fs/cgroup/cpu,cpuacct"));
        Assert.That(layout.V1For("net_prio")!.Controllers, Is.EqualTo(new[] { "net_cls", "net_prio" }));
        Assert.That(layout.V1For("name=systemd")!.Controllers, Is.EqualTo(new[] { "name=systemd" }), "mount flags are not controllers");
        Assert.That(layout.V1For("memory")!.Controllers, Is.EqualTo(new[] { "memory" }));
    }

    [Test]
    public void FirstMountOfAHierarchyWinsAndEscapesAndRootsAreRead()
    {
        var layout = CgroupLayout.Parse("""
            32 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            90 80 0:29 /docker/abc /var/lib/x/memory rw - cgroup cgroup rw,memory
            91 80 0:40 /some\040dir /mnt/cg\040two rw - cgroup2 cgroup2 rw
            """);
        Assert.That(layout.V1Hierarchies, Has.Count.EqualTo(1));
        Assert.That(layout.V1For("memory")!.MountPoint, Is.EqualTo("/sys/fs/cgroup/memory"));
        Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/mnt/cg two"));
        Assert.That(layout.UnifiedRoot, Is.EqualTo("/some dir"));
        Assert.That(layout.Mode, Is.EqualTo(CgroupMode.Hybrid));
    }

    [Test]
    public void TheStandardCgroup2MountIsPreferredOverAnother()
    {
        var layout = CgroupLayout.Parse("""
            91 80 0:40 / /run/other rw - cgroup2 cgroup2 rw
            28 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
            """);
        Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/sys/fs/cgroup"));
    }

    [Test]
    public void NoCgroupMountIsAClearError()
    {
        var e = Assert.Throws<RuntimeException>(() => CgroupLayout.Parse("23 1 254:0 / / rw - ext4 /dev/vda rw\n"));
        Assert.That(e!.Message, Does.Contain("no cgroup filesystem is mounted"));
    }

    [Test]
    public void DetectOnThisHostMatchesTheKernel()
    {
        var layout = CgroupLayout.Detect();
        var mountinfo = File.ReadAllText("/proc/self/mountinfo");
        bool anyV1 = mountinfo.Contains(" - cgroup cgroup ");
        bool anyV2 = mountinfo.Contains(" - cgroup2 ");
        var expected = anyV1 && anyV2 ? CgroupMode.Hybrid : anyV1 ? CgroupMode.V1 : CgroupMode.V2;
        Assert.That(layout.Mode, Is.EqualTo(expected), layout.ToString());
        foreach (var h in layout.V1Hierarchies)
            Assert.That(Directory.Exists(Path.Combine(h.MountPoint)) && File.Exists(Path.Combine(h.MountPoint, "cgroup.procs")), h.ToString());
        if (layout.UnifiedMountPoint is { } u)
            Assert.That(File.Exists(Path.Combine(u, "cgroup.controllers")), u);
    }
}
