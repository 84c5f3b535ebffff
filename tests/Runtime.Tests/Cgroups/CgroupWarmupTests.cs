using NUnit.Framework;
using Runtime.Cgroups;

namespace Runtime.Tests.Cgroups;

/// <summary>Which cgroup.procs the warm-up "moves" the runtime into: always the cgroup it is already in.</summary>
public class CgroupWarmupTests
{
    private const string Hybrid = """
        23 1 254:0 / / rw,relatime - ext4 /dev/vda rw
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 /process_api /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string V1Only = """
        23 1 254:0 / / rw,relatime - ext4 /dev/vda rw
        35 31 0:32 /process_api /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        """;

    private static Dictionary<string, string> Own(string procSelfCgroup) =>
        CgroupPaths.ParseProcCgroup(procSelfCgroup);

    [Test]
    public void TheCgroup2HierarchyIsPreferred() =>
        Assert.That(CgroupWarmup.OwnProcsFile(CgroupLayout.Parse(Hybrid), Own("2:memory:/process_api/x\n1:cpu:/\n0::/user.slice\n")),
            Is.EqualTo("/sys/fs/cgroup/unified/user.slice/cgroup.procs"));

    [Test]
    public void AtTheRootOfTheHierarchy() =>
        Assert.That(CgroupWarmup.OwnProcsFile(CgroupLayout.Parse(Hybrid), Own("0::/\n")),
            Is.EqualTo("/sys/fs/cgroup/unified/cgroup.procs"));

    [Test]
    public void OnV1TheMountsRootIsTakenOff() =>
        Assert.That(CgroupWarmup.OwnProcsFile(CgroupLayout.Parse(V1Only), Own("2:memory:/process_api/x\n1:cpu:/a\n")),
            Is.EqualTo("/sys/fs/cgroup/memory/x/cgroup.procs"));

    [Test]
    public void ACgroupOutsideWhatIsMountedGivesNoFile() =>
        Assert.That(CgroupWarmup.OwnProcsFile(CgroupLayout.Parse(V1Only), Own("2:memory:/elsewhere\n")), Is.Null);

    [Test]
    public void NoMatchingHierarchyGivesNoFile() =>
        Assert.That(CgroupWarmup.OwnProcsFile(CgroupLayout.Parse(V1Only), Own("5:pids:/\n")), Is.Null);

    [Test]
    public void OnThisHostItNamesAnExistingFileOfOurOwnCgroup()
    {
        var layout = CgroupLayout.Detect();
        var file = CgroupWarmup.OwnProcsFile(layout, Own(File.ReadAllText("/proc/self/cgroup")));
        Assume.That(file, Is.Not.Null, "no cgroup hierarchy shows this process's cgroup");
        Assert.That(File.ReadAllLines(file!), Does.Contain(Environment.ProcessId.ToString()));
    }
}
