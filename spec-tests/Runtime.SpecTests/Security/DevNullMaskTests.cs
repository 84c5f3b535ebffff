using System.Text.Json.Nodes;
using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// CVE-2025-31133: masking (linux.maskedPaths, here /proc/version, which every kernel has) binds the
/// container's /dev/null over each file. If that /dev/null is a symlink (to a procfs file such as
/// /proc/sys/kernel/core_pattern, or any file), a regular file or another device, the bind would
/// expose that instead, writable, at the masked path. The runtime must verify /dev/null is the 1:3
/// character device (fstat of an O_PATH, O_NOFOLLOW fd) and bind exactly that fd, or refuse.
/// /dev is bound from a directory the test prepares (the runtime makes no nodes in a bound /dev).
/// RootfsTests.MaskingRefusesADevNullThatIsNotTheNullDevice covers linux.devices naming 1:5 /dev/null.
/// </summary>
[TestFixture]
public class DevNullMaskTests : SpecTest
{
    /// <summary>What the masked file is and reads inside the container.</summary>
    private const string Probe = "stat -c 'masked=%F %t:%T' /proc/version; echo size=$(head -c 64 /proc/version | wc -c); head -c 200 /proc/version; echo; echo end";
    private const string Refusal = "/dev/null in the container is not the 1:3 character device";

    private BundleBuilder WithBoundDev(BundleBuilder b, Action<string> populate)
    {
        var dev = H.NewDir("dev");
        populate(dev);
        return b.MaskedPaths("/proc/version").RemoveMount("/dev").Edit(c =>
            // /dev first: /dev/pts, /dev/shm and /dev/mqueue are mounted on top of it.
            ((JsonArray)c["mounts"]!).Insert(1, BundleBuilder.MountNode("/dev", "bind", dev, new[] { "rbind" })));
    }

    private void Mknod(string path, int major, int minor)
    {
        var r = RuntimeBinary.Exec("/bin/mknod", new[] { "-m", "666", path, "c", major.ToString(), minor.ToString() });
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
    }

    /// <summary>Refused with the /dev/null error, or (a runtime that recovers) the masked file is the null device and reads nothing.</summary>
    private void AssertMaskedOrRefused(BundleBuilder b, string secret)
    {
        var id = H.NewId();
        var r = H.Run(b.Write(), id);
        if (r.ExitCode != 0)
        {
            AssertFails(r, Refusal);
            H.AssertNoLeftovers(id);
            return;
        }
        Assert.That(r.Stdout, Does.Contain("masked=character special file 1:3").And.Contain("size=0\n\nend\n"), r.ToString());
        Assert.That(r.Stdout, Does.Not.Contain(secret + "\n"), r.ToString());
    }

    [TestCase("/proc/sys/kernel/core_pattern")]
    [TestCase("/proc/sys/kernel/ostype")]
    public void ADevNullSymlinkToAProcfsFileIsNotBound(string target)
    {
        var secret = File.ReadAllText(target).Trim();
        var b = WithBoundDev(Bundle(Probe), dev => File.CreateSymbolicLink(Path.Combine(dev, "null"), target));
        AssertMaskedOrRefused(b, secret);
    }

    [Test]
    public void ADevNullSymlinkToAContainerFileIsNotBound()
    {
        var b = WithBoundDev(Bundle(Probe).PrivateRootfs(), dev => File.CreateSymbolicLink(Path.Combine(dev, "null"), "/etc/secret"));
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "secret"), "TOPSECRET\n");
        AssertMaskedOrRefused(b, "TOPSECRET");
    }

    [Test]
    public void ADevNullSymlinkToAHostPathIsNotBound()
    {
        // Resolved after pivot_root the host path does not exist in the container; either way the
        // host file must not be what masks the path.
        var host = Path.Combine(H.NewDir("host"), "file");
        File.WriteAllText(host, "HOSTFILE\n");
        var b = WithBoundDev(Bundle(Probe), dev => File.CreateSymbolicLink(Path.Combine(dev, "null"), host));
        AssertMaskedOrRefused(b, "HOSTFILE");
        Assert.That(File.ReadAllText(host), Is.EqualTo("HOSTFILE\n"));
    }

    [Test]
    public void ADevNullThatIsARegularFileIsNotBound()
    {
        var b = WithBoundDev(Bundle(Probe), dev => File.WriteAllText(Path.Combine(dev, "null"), "PLANTED\n"));
        AssertMaskedOrRefused(b, "PLANTED");
    }

    [Test]
    public void ADevNullThatIsAnotherDeviceIsNotBound()
    {
        // The zero device under the name null: /proc/version would read zeros (size=64).
        var b = WithBoundDev(Bundle(Probe), dev => Mknod(Path.Combine(dev, "null"), 1, 5));
        AssertMaskedOrRefused(b, "size=64");
    }

    [Test]
    public void TheRealNullDeviceOnABoundDevIsUsed()
    {
        // The counterpart: a bound /dev whose null is the 1:3 device masks as usual.
        var output = Inside(WithBoundDev(Bundle(Probe), dev => Mknod(Path.Combine(dev, "null"), 1, 3)));
        Assert.That(output, Does.Contain("masked=character special file 1:3").And.Contain("size=0\n"), output);
    }

    [Test]
    public void AnImageDevNullSymlinkIsReplacedByTheDevice()
    {
        // Without a /dev mount the rootfs's own /dev is used: the runtime makes its device nodes
        // there, replacing whatever the image put at /dev/null, before masking with it.
        var b = Bundle(Probe + "; stat -c 'null=%F %t:%T' /dev/null").PrivateRootfs().MaskedPaths("/proc/version").RemoveMount("/dev");
        var devNull = Path.Combine(b.Rootfs, "dev", "null");
        Directory.CreateDirectory(Path.GetDirectoryName(devNull)!);
        if (Path.Exists(devNull) || new FileInfo(devNull).LinkTarget != null) File.Delete(devNull);
        File.CreateSymbolicLink(devNull, "/proc/sys/kernel/core_pattern");
        var output = Inside(b);
        Assert.That(output, Does.Contain("null=character special file 1:3"), output);
        Assert.That(output, Does.Contain("masked=character special file 1:3").And.Contain("size=0\n"), output);
    }
}
