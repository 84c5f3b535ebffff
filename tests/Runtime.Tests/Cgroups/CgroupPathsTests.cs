using NUnit.Framework;
using Runtime.Cgroups;

namespace Runtime.Tests.Cgroups;

public class CgroupPathsTests
{
    private static readonly CgroupLayout Hybrid = CgroupLayout.Parse("""
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
        """);

    private const string ProcSelfCgroup = """
        9:name=systemd:/
        4:memory:/process_api/abc
        1:cpu,cpuacct:/
        0::/user.slice/runtime.scope
        """;

    private static CgroupPaths Resolve(string? cgroupsPath, string id = "ctr") =>
        CgroupPaths.Resolve(Hybrid, cgroupsPath, id, () => ProcSelfCgroup);

    [Test]
    public void AbsolutePathIsTakenFromEachMountRoot()
    {
        var p = Resolve("/k8s.io/abc");
        Assert.That(p.V1, Is.EqualTo(new Dictionary<string, string>
        {
            ["cpu,cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/k8s.io/abc",
            ["memory"] = "/sys/fs/cgroup/memory/k8s.io/abc",
            ["name=systemd"] = "/sys/fs/cgroup/systemd/k8s.io/abc",
        }));
        Assert.That(p.Unified, Is.EqualTo("/sys/fs/cgroup/unified/k8s.io/abc"));
    }

    [Test]
    public void RelativePathGoesUnderOwnCgroupInV1AndBesideItInV2()
    {
        var p = Resolve("pod/ctr");
        Assert.That(p.V1["memory"], Is.EqualTo("/sys/fs/cgroup/memory/process_api/abc/pod/ctr"));
        Assert.That(p.V1["cpu,cpuacct"], Is.EqualTo("/sys/fs/cgroup/cpu,cpuacct/pod/ctr"));
        Assert.That(p.V1["name=systemd"], Is.EqualTo("/sys/fs/cgroup/systemd/pod/ctr"));
        // runc: a cgroup2 cgroup holding processes cannot have controller-enabled children, so siblings it is.
        Assert.That(p.Unified, Is.EqualTo("/sys/fs/cgroup/unified/user.slice/pod/ctr"));
    }

    [Test]
    public void NoPathMeansSlashId()
    {
        var p = Resolve(null, "my-id");
        Assert.That(p.V1["memory"], Is.EqualTo("/sys/fs/cgroup/memory/my-id"));
        Assert.That(p.Unified, Is.EqualTo("/sys/fs/cgroup/unified/my-id"));
    }

    [Test]
    public void RelativePathHonoursTheMountRoot()
    {
        var nested = CgroupLayout.Parse("90 80 0:29 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        var p = CgroupPaths.Resolve(nested, "child", "x", () => "4:memory:/docker/abc/sub\n");
        Assert.That(p.V1["memory"], Is.EqualTo("/sys/fs/cgroup/memory/sub/child"));
        var e = Assert.Throws<RuntimeException>(() => CgroupPaths.Resolve(nested, "child", "x", () => "4:memory:/elsewhere\n"));
        Assert.That(e!.Message, Does.Contain("outside what is mounted"));
    }

    [TestCase("/a//b/./c/", "/a/b/c")]
    [TestCase("a/b", "a/b")]
    [TestCase("./a", "a")]
    public void PathsAreCleaned(string given, string clean) =>
        Assert.That(CgroupPaths.Clean(given), Is.EqualTo(clean));

    [TestCase("/a/../../etc", "must not contain \"..\"")]
    [TestCase("..", "must not contain \"..\"")]
    [TestCase("/", "names the root cgroup")]
    [TestCase("", "must not be empty")]
    public void BadPathsAreRefusedNamingTheField(string given, string why)
    {
        var e = Assert.Throws<RuntimeException>(() => Resolve(given));
        Assert.That(e!.Message, Does.StartWith("linux.cgroupsPath: ").And.Contain(why));
    }
}
