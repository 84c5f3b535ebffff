using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>config.md "Root" and config-linux.md rootfsPropagation, maskedPaths, readonlyPaths:
/// pivot_root (and --no-pivot), a read-only root, propagation of the root mount.</summary>
[TestFixture]
public class RootfsTests : SpecTest
{
    private const string Mountinfo = "cat /proc/self/mountinfo";

    private static MountInfo At(List<MountInfo> mounts, string mountPoint) =>
        MountInfo.At(mounts, mountPoint) ?? throw new AssertionException($"no mount at {mountPoint}:\n{string.Join('\n', mounts)}");

    [Test]
    public void PivotRootLeavesOnlyTheContainersMounts()
    {
        var mounts = MountInfo.Parse(Inside(Bundle(Mountinfo)));
        var root = At(mounts, "/");
        Assert.That(root.Root, Does.EndWith("bundles/busybox/rootfs"), "/ is the bundle's rootfs");
        Assert.That(mounts.Count(m => m.MountPoint == "/"), Is.EqualTo(1), "the old root is detached");
        var allowed = new[] { "/", "/proc", "/dev", "/sys" };
        Assert.That(mounts.Select(m => m.MountPoint),
            Has.All.Matches<string>(mp => allowed.Any(a => mp == a || mp.StartsWith(a + "/", StringComparison.Ordinal))),
            "no host mount is visible:\n" + string.Join('\n', mounts));
    }

    [Test]
    public void TheHostFilesystemIsNotReachable()
    {
        var output = Inside(Bundle($"ls {RuntimeBinary.RepoRoot} 2>&1; ls /; cat /etc/busybox-version"));
        Assert.That(output, Does.Contain("No such file or directory"));
        Assert.That(output, Does.Contain("BusyBox"));
    }

    [Test]
    public void NoPivotMovesTheRootAndChroots()
    {
        var id = H.NewId();
        var r = H.Run(Bundle("ls /; cat /etc/busybox-version; " + Mountinfo).Write(), id, "--no-pivot", "--keep");
        AssertOk(r);
        Assert.That(H.Status(id), Is.EqualTo("stopped"), "the flags are options, not the container's ID");
        Assert.That(r.Stdout, Does.Contain("BusyBox"));
        var mounts = MountInfo.Parse(r.Stdout);
        Assert.That(At(mounts, "/").Root, Does.EndWith("bundles/busybox/rootfs"));
    }

    [Test]
    public void AReadOnlyRootCannotBeWritten()
    {
        var output = Inside(Bundle("touch /newfile 2>&1; " + Mountinfo).ReadonlyRoot(true));
        Assert.That(output, Does.Contain("Read-only file system"));
        Assert.That(At(MountInfo.Parse(output), "/").ReadOnly);
    }

    [Test]
    public void AWritableRootCanBeWritten()
    {
        var b = Bundle("echo data > /newfile && echo wrote").PrivateRootfs();
        Assert.That(Inside(b), Does.Contain("wrote"));
        Assert.That(File.ReadAllText(Path.Combine(b.Rootfs, "newfile")), Is.EqualTo("data\n"));
    }

    [Test]
    public void AReadOnlyRootKeepsTheOtherMountsWritable()
    {
        var output = Inside(Bundle("touch /dev/shm/x && echo shm-writable").ReadonlyRoot(true));
        Assert.That(output, Does.Contain("shm-writable"));
    }

    // ---- rootfsPropagation: the bundle sits on a shared mount of the suite's namespace ----

    private BundleBuilder BundleOnASharedMount(string script)
    {
        var b = H.NewBundle();
        H.Mount("--bind", b.Path, b.Path);
        H.Mount("--make-rshared", b.Path);
        b.PrivateRootfs().ReadonlyRoot(true).Shell(script);
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "mnt", "ext"));
        return b;
    }

    // A bundle on a shared mount: pivot_root refuses a shared parent, so "/" stays rslave while we
    // work and the configured propagation applies to the new root after pivot_root.
    [TestCase(null, "slave")]
    [TestCase("rslave", "slave")]
    [TestCase("slave", "slave")] // the spec's meaning: / becomes a slave (runc ends private as a side effect)
    [TestCase("private", "private")]
    [TestCase("rprivate", "private")]
    [TestCase("shared", "shared")]
    [TestCase("rshared", "shared")]
    public void TheRootMountGetsTheRequestedPropagation(string? propagation, string expected)
    {
        // On a shared parent: "slave" makes only / a slave and the rootfs is bound from a parent made
        // private, so the root ends private (runc's outcome); rslave (the default) makes it a slave.
        // shared/rshared: the spec's "sets the rootfs's mount propagation" (crun); runc 1.1 leaves it private.
        var b = BundleOnASharedMount(Mountinfo);
        if (propagation != null) b.RootfsPropagation(propagation);
        var root = At(MountInfo.Parse(Inside(b)), "/");
        bool ok = expected switch
        {
            "slave" => root.IsSlave && !root.IsShared,
            "shared" => root.IsShared,
            _ => root.IsPrivate,
        };
        Assert.That(ok, $"rootfsPropagation {propagation ?? "(default)"}: / should be {expected}: {root}");
    }

    [Test]
    public void WithTheDefaultRslaveHostMountsReachTheContainer()
    {
        var b = BundleOnASharedMount("echo ready; while [ ! -e /mnt/ext/flag ]; do sleep 0.05; done; echo seen-host-mount");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "ready");
        var ext = Path.Combine(b.Rootfs, "mnt", "ext");
        H.Mount("-t", "tmpfs", "tmpfs", ext);
        File.WriteAllText(Path.Combine(ext, "flag"), "");
        H.WaitForOutput(id, "seen-host-mount", 5);
    }

    [TestCase(null)]
    [TestCase("rshared")]
    public void ContainerMountsDoNotReachTheHost(string? propagation)
    {
        var b = BundleOnASharedMount("true").AddMount("/mnt/ext", "tmpfs", "tmpfs");
        if (propagation != null) b.RootfsPropagation(propagation);
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        var ours = MountInfo.Read("/proc/self/mountinfo");
        Assert.That(ours.Where(m => m.MountPoint.StartsWith(b.Rootfs + "/", StringComparison.Ordinal)), Is.Empty,
            "a container's mounts never propagate to the runtime's namespace");
    }

    [Test]
    public void AnUnknownPropagationIsAnError()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().RootfsPropagation("sideways").Write(), id), "rootfsPropagation", "sideways");
        H.AssertNoLeftovers(id);
    }

    // ---- maskedPaths ----

    [Test]
    public void MaskedFilesReadAsDevNull()
    {
        // The default masked files this kernel has (runc's list; kcore, sched_debug… depend on its config).
        var files = new[] { "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug" }
            .Where(File.Exists).ToArray();
        Assert.That(files, Is.Not.Empty);
        var output = Inside(Bundle(string.Concat(files.Select(f => $"stat -c '%n %F %t:%T' {f}; wc -c < {f}; "))));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < files.Length; i++)
        {
            Assert.That(lines[2 * i], Is.EqualTo($"{files[i]} character special file 1:3"));
            Assert.That(lines[2 * i + 1].Trim(), Is.EqualTo("0"), files[i] + " reads empty");
        }
    }

    [Test]
    public void MaskedDirectoriesAreEmptyReadOnlyTmpfs()
    {
        var output = Inside(Bundle("ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>&1; " + Mountinfo));
        Assert.That(output.Split('\n')[0].Trim(), Is.EqualTo("0"));
        Assert.That(output, Does.Contain("Read-only file system"));
        var fw = At(MountInfo.Parse(output), "/sys/firmware");
        Assert.That(fw.FsType, Is.EqualTo("tmpfs"));
        Assert.That(fw.ReadOnly);
    }

    [Test]
    public void MaskedPathsOfTheRootfsAreHidden()
    {
        var b = Bundle("cat /etc/secret; ls -A /etc/secretdir; echo end").PrivateRootfs().ReadonlyRoot(true)
            .MaskedPaths("/etc/secret", "/etc/secretdir", "/no/such/path");
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "secret"), "TOP-SECRET\n");
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "etc", "secretdir"));
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "secretdir", "key"), "KEY\n");
        var output = Inside(b);
        Assert.That(output, Does.Not.Contain("TOP-SECRET").And.Not.Contain("key"));
        Assert.That(output, Does.Contain("end"), "a masked path that does not exist is skipped");
    }

    [Test]
    public void MaskingRefusesADevNullThatIsNotTheNullDevice()
    {
        // CVE-2025-31133: masking binds /dev/null; if the container's /dev/null is something else
        // (here the zero device under that name) the bind would expose it instead.
        var id = H.NewId();
        var r = H.Create(Bundle().Device("/dev/null", "c", 1, 5).Write(), id);
        AssertFails(r, "/dev/null");
        H.AssertNoLeftovers(id);
    }

    // ---- readonlyPaths ----

    [Test]
    public void ReadonlyPathsCannotBeWritten()
    {
        var output = Inside(Bundle("echo 1 > /proc/sys/kernel/domainname 2>&1 || echo refused; " + Mountinfo).Namespace("uts"));
        Assert.That(output, Does.Contain("refused"));
        Assert.That(At(MountInfo.Parse(output), "/proc/sys").ReadOnly);
    }

    [Test]
    public void ReadonlyPathsOfTheRootfsAreReadOnlyAndTheRestIsNot()
    {
        var b = Bundle("touch /data/x 2>&1; touch /other && echo other-writable").PrivateRootfs()
            .ReadonlyPaths("/data", "/no/such/path");
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "data"));
        var output = Inside(b);
        Assert.That(output, Does.Contain("Read-only file system"));
        Assert.That(output, Does.Contain("other-writable"));
        Assert.That(File.Exists(Path.Combine(b.Rootfs, "data", "x")), Is.False);
    }
}
