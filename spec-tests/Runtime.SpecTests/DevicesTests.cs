using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>config-linux.md "Devices" and "Default Devices", plus the /dev links runc makes.</summary>
[TestFixture]
public class DevicesTests : SpecTest
{
    [Test]
    public void TheDefaultDevicesExistWithMode0666()
    {
        var output = Inside(Bundle("stat -c '%n %F %t:%T %a %u:%g' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty"));
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "/dev/null character special file 1:3 666 0:0",
            "/dev/zero character special file 1:5 666 0:0",
            "/dev/full character special file 1:7 666 0:0",
            "/dev/random character special file 1:8 666 0:0",
            "/dev/urandom character special file 1:9 666 0:0",
            "/dev/tty character special file 5:0 666 0:0",
        }));
    }

    [Test]
    public void TheDefaultDevicesWork()
    {
        var output = Inside(Bundle("echo x > /dev/null && echo null-ok; head -c 5 /dev/zero | wc -c; head -c 5 /dev/urandom | wc -c; " +
                                   "echo x > /dev/full 2>&1 || echo full-refused"));
        Assert.That(output, Does.Contain("null-ok"));
        Assert.That(output.Split('\n').Count(l => l.Trim() == "5"), Is.EqualTo(2));
        Assert.That(output, Does.Contain("full-refused"));
    }

    [Test]
    public void TheStandardLinksExist()
    {
        var output = Inside(Bundle("for l in fd stdin stdout stderr ptmx; do echo \"$l -> $(readlink /dev/$l)\"; done; test -d /dev/shm && echo shm-dir; test -e /dev/pts/ptmx && echo pts-ptmx"));
        Assert.That(output, Does.Contain("fd -> /proc/self/fd"));
        Assert.That(output, Does.Contain("stdin -> /proc/self/fd/0"));
        Assert.That(output, Does.Contain("stdout -> /proc/self/fd/1"));
        Assert.That(output, Does.Contain("stderr -> /proc/self/fd/2"));
        Assert.That(output, Does.Contain("ptmx -> pts/ptmx"));
        Assert.That(output, Does.Contain("shm-dir"));
        Assert.That(output, Does.Contain("pts-ptmx"));
    }

    [Test]
    public void StdioLinksReachTheProcessStdio()
    {
        Assert.That(Inside(Bundle("echo via-dev-stdout > /dev/stdout")), Does.Contain("via-dev-stdout"));
    }

    [Test]
    public void LinuxDevicesAreCreatedWithTypeNumbersModeAndOwner()
    {
        var b = Bundle("stat -c '%n %F %t:%T %a %u:%g' /dev/fuse /dev/testblk /dev/testfifo /dev/net/tun")
            .Device("/dev/fuse", "c", 10, 229, 0x180 /* 0600 */, 1000, 1001)
            .Device("/dev/testblk", "b", 7, 0, 0x1a0 /* 0640 */)
            .Device("/dev/testfifo", "p", 0, 0, 0x1b0 /* 0660 */)
            .Device("/dev/net/tun", "c", 10, 200, 0x1b6);
        var lines = Inside(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(new[]
        {
            "/dev/fuse character special file a:e5 600 1000:1001",
            "/dev/testblk block special file 7:0 640 0:0",
            "/dev/testfifo fifo 0:0 660 0:0",
            "/dev/net/tun character special file a:c8 666 0:0",
        }));
    }

    [Test]
    public void AListedDeviceReplacesTheDefaultOfTheSamePath()
    {
        var output = Inside(Bundle("stat -c '%a %u:%g' /dev/full").Device("/dev/full", "c", 1, 7, 0x180, 5, 6));
        Assert.That(output.Trim(), Is.EqualTo("600 5:6"));
    }

    [Test]
    public void TheUmaskDoesNotNarrowDeviceModes()
    {
        var output = Inside(Bundle("stat -c '%a' /dev/testdev").Device("/dev/testdev", "c", 1, 3, 0x1ff /* 0777 */).User(0, 0, umask: 0x3f /* 077 */));
        Assert.That(output.Trim(), Is.EqualTo("777"));
    }

    [Test]
    public void AnUnknownDeviceTypeIsAnError()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Device("/dev/odd", "x", 1, 3).Write(), id), "linux.devices[0]", "/dev/odd", "type");
        H.AssertNoLeftovers(id);
    }
}
