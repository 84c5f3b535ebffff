using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>config-linux.md "Namespaces": created ones, joined ones (by path, user first), pid 1,
/// time offsets, and clear errors for bad input.</summary>
[TestFixture]
public class NamespacesTests : SpecTest
{
    private static readonly (string Spec, string Proc)[] Kinds =
    {
        ("pid", "pid"), ("network", "net"), ("ipc", "ipc"), ("uts", "uts"), ("mount", "mnt"), ("cgroup", "cgroup"),
    };

    [Test]
    public void EveryRequestedNamespaceIsNewAndTheOthersAreShared()
    {
        var b = Bundle("sleep 30").Namespaces("pid", "network", "ipc", "uts", "mount", "cgroup");
        var id = H.NewId();
        int pid = H.CreateOk(b.Write(), id);
        Assert.Multiple(() =>
        {
            foreach (var (_, proc) in Kinds)
                Assert.That(Native.Namespace(pid, proc), Is.Not.EqualTo(Native.SelfNamespace(proc)), $"{proc} namespace must be new");
            Assert.That(Native.Namespace(pid, "user"), Is.EqualTo(Native.SelfNamespace("user")), "no user namespace was asked for");
        });
    }

    [Test]
    public void OnlyTheListedNamespacesAreCreated()
    {
        var b = Bundle("sleep 30").Namespaces("mount", "pid").Hostname(null);
        var id = H.NewId();
        int pid = H.CreateOk(b.Write(), id);
        Assert.Multiple(() =>
        {
            Assert.That(Native.Namespace(pid, "mnt"), Is.Not.EqualTo(Native.SelfNamespace("mnt")));
            Assert.That(Native.Namespace(pid, "pid"), Is.Not.EqualTo(Native.SelfNamespace("pid")));
            foreach (var proc in new[] { "net", "ipc", "uts", "cgroup", "user" })
                Assert.That(Native.Namespace(pid, proc), Is.EqualTo(Native.SelfNamespace(proc)), $"{proc} must be the host's");
        });
    }

    [Test]
    public void TheContainerProcessIsPid1OfItsPidNamespace()
    {
        var output = Inside(Bundle("echo pid=$$; cat /proc/1/cmdline | tr '\\0' ' '; echo"));
        Assert.That(output, Does.Contain("pid=1"));
        Assert.That(output, Does.Contain("sh -c"), "pid 1 is the user's program itself");
    }

    [Test]
    public void WithoutAPidNamespaceTheProcessHasItsHostPid()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("echo pid=$$").WithoutNamespace("pid").Write(), id);
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "pid=");
        Assert.That(H.Output(id), Does.Contain($"pid={pid}"));
    }

    [TestCase("network", "net")]
    [TestCase("ipc", "ipc")]
    [TestCase("uts", "uts")]
    [TestCase("pid", "pid")]
    [TestCase("cgroup", "cgroup")]
    public void JoinsANamespaceByPath(string type, string proc)
    {
        var a = H.NewId("a");
        int pidA = H.CreateOk(Bundle("sleep 30").Namespace("cgroup").Write(), a);
        var b = Bundle("echo pid=$$; sleep 30").Namespace(type, $"/proc/{pidA}/ns/{proc}");
        var idB = H.NewId("b");
        int pidB = H.CreateOk(b.Write(), idB);
        Assert.That(Native.Namespace(pidB, proc), Is.EqualTo(Native.Namespace(pidA, proc)), $"B must be in A's {proc} namespace");
        Assert.That(Native.Namespace(pidB, proc), Is.Not.EqualTo(Native.SelfNamespace(proc)));
        if (type == "pid")
        {
            AssertOk(H.Start(idB));
            H.WaitForOutput(idB, "pid=");
            Assert.That(H.Output(idB), Does.Not.Contain("pid=1\n"), "a joined pid namespace already has its pid 1 (A's init)");
        }
    }

    [Test]
    public void JoinsTheUserNamespaceBeforeTheOthers()
    {
        var a = H.NewId("a");
        int pidA = H.CreateOk(Bundle("sleep 30").UserNamespace(200000, 65536).Write(), a);
        // The user namespace is listed last: it must still be joined first, or joining A's network
        // namespace and creating namespaces owned by A's user namespace would go wrong.
        var b = Bundle("cat /proc/self/uid_map; echo; sleep 30")
            .Namespaces("pid", "ipc", "uts", "mount")
            .Namespace("network", $"/proc/{pidA}/ns/net")
            .Namespace("user", $"/proc/{pidA}/ns/user");
        var idB = H.NewId("b");
        var r = H.Create(b.Write(), idB);
        AssertOk(r);
        int pidB = H.Pid(idB);
        Assert.That(Native.Namespace(pidB, "user"), Is.EqualTo(Native.Namespace(pidA, "user")));
        Assert.That(Native.Namespace(pidB, "net"), Is.EqualTo(Native.Namespace(pidA, "net")));
        Assert.That(HostStatusField(pidB, "Uid"), Does.StartWith("200000"), "root of A's user namespace is host uid 200000");
        AssertOk(H.Start(idB));
        H.WaitForOutput(idB, "200000");
        Assert.That(H.Output(idB).Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries).Take(3), Is.EqualTo(new[] { "0", "200000", "65536" }));
    }

    [Test]
    public void TimeNamespaceAppliesTheOffsets()
    {
        if (!File.Exists("/proc/self/ns/time"))
            Assert.Ignore("this kernel has no time namespaces");
        const long offset = 86400L * 1000; // 1000 days
        var b = Bundle("cat /proc/self/timens_offsets; cut -d' ' -f1 /proc/uptime")
            .Namespace("time")
            .LinuxField("timeOffsets", "{\"monotonic\": {\"secs\": " + offset + ", \"nanosecs\": 0}, \"boottime\": {\"secs\": " + offset + ", \"nanosecs\": 0}}");
        var output = Inside(b);
        Assert.That(output, Does.Match(@"monotonic\s+" + offset + @"\s+0"));
        Assert.That(output, Does.Match(@"boottime\s+" + offset + @"\s+0"));
        var uptime = double.Parse(output.Trim().Split('\n').Last(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(uptime, Is.GreaterThan(offset), "uptime inside runs on the shifted boot clock");
    }

    [Test]
    public void CgroupNamespaceMakesTheOwnCgroupTheRoot()
    {
        var output = Inside(Bundle("cat /proc/self/cgroup").Namespace("cgroup"));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines, Has.All.EndsWith(":/"), output);
    }

    // ---- errors ----

    [Test]
    public void ADuplicateNamespaceTypeIsAnError()
    {
        var id = H.NewId();
        var b = Bundle().Namespaces("pid", "network", "ipc", "uts", "mount", "network");
        AssertFails(H.Create(b.Write(), id), "linux.namespaces", "network");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ADuplicateNamespacePathIsAnError()
    {
        var id = H.NewId();
        var b = Bundle().Namespace("network", "/proc/self/ns/net").Namespace("network", "/proc/thread-self/ns/net", replace: false);
        var r = H.Create(b.Write(), id);
        AssertFails(r, "net");
        Assert.That(r.Stderr, Does.Contain("twice").Or.Contain("duplicate"), r.ToString());
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void APathThatIsNotANamespaceIsAnError()
    {
        var id = H.NewId();
        var file = Path.Combine(H.Dir, "not-a-namespace");
        File.WriteAllText(file, "");
        AssertFails(H.Create(Bundle().Namespace("network", file).Write(), id), "linux.namespaces[", ".path", file, "not a namespace");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void APathToANamespaceOfAnotherTypeIsAnError()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Namespace("network", "/proc/self/ns/uts").Write(), id),
            "linux.namespaces[", "uts", "network");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AMissingNamespacePathIsAnError()
    {
        var id = H.NewId();
        var missing = Path.Combine(H.Dir, "no-such-ns");
        AssertFails(H.Create(Bundle().Namespace("ipc", missing).Write(), id), "linux.namespaces[", missing, "ENOENT");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AnUnknownNamespaceTypeIsAnError()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Namespace("bogus").Write(), id), "linux.namespaces[", "bogus");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void MappingsWithoutAUserNamespaceAreAnError()
    {
        var id = H.NewId();
        var b = Bundle().LinuxField("uidMappings", """[{"containerID": 0, "hostID": 100000, "size": 65536}]""")
            .LinuxField("gidMappings", """[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        AssertFails(H.Create(b.Write(), id), "uidMappings", "user namespace");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AUserNamespaceWithoutMappingsIsAnError()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Namespace("user").Write(), id), "linux.uidMappings");
        H.AssertNoLeftovers(id);
    }
}
