using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>config-linux.md "User namespace mappings": maps written by the parent, root inside is
/// an unprivileged uid outside, devices bound from the host.</summary>
[TestFixture]
public class UserNamespaceTests : SpecTest
{
    [Test]
    public void TheIdMapsAreTheConfigs()
    {
        var output = Inside(Bundle("cat /proc/self/uid_map /proc/self/gid_map; id").UserNamespace(100000, 65536));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "100000", "65536" }));
        Assert.That(lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "100000", "65536" }));
        Assert.That(output, Does.Contain("uid=0(root) gid=0(root)"));
    }

    [Test]
    public void SeveralMappingsAreAllWritten()
    {
        var b = Bundle("cat /proc/self/uid_map").UserNamespace()
            .LinuxField("uidMappings", """[{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 500}]""");
        var lines = Inside(b).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.That(lines, Is.EqualTo(new[] { "0 100000 1000", "1000 300000 500" }));
    }

    [Test]
    public void ContainerRootIsAnUnprivilegedHostUser()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").UserNamespace(100000, 65536).Write(), id);
        Assert.That(HostStatusField(pid, "Uid").Split('\t'), Has.All.EqualTo("100000"));
        Assert.That(HostStatusField(pid, "Gid").Split('\t'), Has.All.EqualTo("100000"));
        Assert.That(Native.Namespace(pid, "user"), Is.Not.EqualTo(Native.SelfNamespace("user")));
    }

    [Test]
    public void TheProcessUserMapsThroughTheNamespace()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("id; sleep 30").UserNamespace(100000, 65536).User(1000, 1001).Write(), id);
        Assert.That(HostStatusField(pid, "Uid").Split('\t'), Has.All.EqualTo("101000"));
        Assert.That(HostStatusField(pid, "Gid").Split('\t'), Has.All.EqualTo("101001"));
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "uid=");
        Assert.That(H.Output(id), Does.Contain("uid=1000 gid=1001"));
    }

    [Test]
    public void DefaultDevicesAreBoundFromTheHost()
    {
        var script = "stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; " +
                     "echo x > /dev/null && echo write-ok; head -c 4 /dev/zero | wc -c; cat /proc/self/mountinfo";
        var output = Inside(Bundle(script).UserNamespace());
        Assert.That(output, Does.Contain("/dev/null character special file 1:3"));
        Assert.That(output, Does.Contain("/dev/zero character special file 1:5"));
        Assert.That(output, Does.Contain("/dev/full character special file 1:7"));
        Assert.That(output, Does.Contain("/dev/random character special file 1:8"));
        Assert.That(output, Does.Contain("/dev/urandom character special file 1:9"));
        Assert.That(output, Does.Contain("/dev/tty character special file 5:0"));
        Assert.That(output, Does.Contain("write-ok"));
        var mounts = MountInfo.Parse(output);
        Assert.That(MountInfo.At(mounts, "/dev/null"), Is.Not.Null, "mknod is not allowed in a user namespace: /dev/null is a bind mount");
    }

    [Test]
    public void ProcAndSysfsAreMountedInAUserNamespace()
    {
        var output = Inside(Bundle("ls /sys/class/net; cat /proc/self/mountinfo").UserNamespace());
        Assert.That(output, Does.Contain("lo"));
        var mounts = MountInfo.Parse(output);
        Assert.That(MountInfo.At(mounts, "/proc")?.FsType, Is.EqualTo("proc"));
        Assert.That(MountInfo.At(mounts, "/sys")?.FsType, Is.EqualTo("sysfs"));
    }

    [Test]
    public void ALinuxDeviceIsBoundFromTheHostInAUserNamespace()
    {
        if (!File.Exists("/dev/net/tun") && !Directory.Exists("/dev/net"))
            Assert.Ignore("no /dev/net/tun on this host");
        var output = Inside(Bundle("stat -c '%n %F %t:%T' /dev/net/tun; cat /proc/self/mountinfo").UserNamespace()
            .Device("/dev/net/tun", "c", 10, 200, 0x1b6));
        Assert.That(output, Does.Contain("/dev/net/tun character special file a:c8"));
        Assert.That(MountInfo.At(MountInfo.Parse(output), "/dev/net/tun"), Is.Not.Null);
    }
}
