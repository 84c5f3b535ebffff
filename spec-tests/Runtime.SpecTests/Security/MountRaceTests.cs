using System.Runtime.InteropServices;
using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// CVE-2021-30465 and CVE-2024-45310: mount destinations that are (or become, while the runtime
/// works) symlinks pointing out of the rootfs. Targets are resolved inside the rootfs through fds
/// (openat2 RESOLVE_IN_ROOT) and mounted via /proc/self/fd/N, so a link is followed as if the rootfs
/// were "/" and a swap after the lookup changes nothing. A runtime that joins rootfs + destination
/// and lets the kernel follow the links mounts (and mkdirs) on the host path.
/// MountsTests.ASymlinkedTargetIsResolvedInsideTheRootfs covers tmpfs targets behind links.
/// </summary>
[TestFixture]
public partial class MountRaceTests : SpecTest
{
    private OutsideTheRootfs _outside = null!;
    private string _source = null!;

    [SetUp]
    public void MakeSentinelAndSource()
    {
        _outside = new OutsideTheRootfs(H);
        _source = H.NewDir("volume");
        File.WriteAllText(Path.Combine(_source, "from-volume"), "VOLUME\n");
    }

    /// <summary>How a symlink in the rootfs names the sentinel: absolute, or climbing with "..".</summary>
    private string LinkTo(string target, bool relative) =>
        relative ? "../../../../../../../../../.." + target : target;

    [TestCase(false)]
    [TestCase(true)]
    public void ABindOntoASymlinkToTheHostStaysInTheRootfs(bool relative)
    {
        var b = Bundle("cat /data/from-volume; ls /data").PrivateRootfs();
        // The link's target exists in the rootfs too (the rootfs has the same path below it), so a
        // correct runtime mounts there; the host's copy is the sentinel.
        Directory.CreateDirectory(b.Rootfs + _outside.Sentinel);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "data"), LinkTo(_outside.Sentinel, relative));
        b.AddMount("/data", "bind", _source, "rbind");
        var mounts = _outside.RecordMounts(b);
        var output = Inside(b);
        Assert.That(output, Does.Contain("VOLUME"), "the volume is at /data inside the container");
        _outside.AssertNothingEscaped(b.Rootfs, mounts);
        Assert.That(File.Exists(Path.Combine(b.Rootfs + _outside.Sentinel, "from-volume")), Is.False, "the bind leaves no file behind");
    }

    [Test]
    public void AFileBindOntoASymlinkToAHostFileStaysInTheRootfs()
    {
        // The target is a file the host has: a runtime following the link would bind over it.
        var b = Bundle("cat /etc/app.conf").PrivateRootfs();
        var volumeFile = Path.Combine(_source, "from-volume");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "etc", "app.conf"), Path.Combine(_outside.Sentinel, "host-file"));
        b.AddMount("/etc/app.conf", "bind", volumeFile, "bind");
        var mounts = _outside.RecordMounts(b);
        var id = H.NewId();
        var r = H.Run(b.Write(), id);
        _outside.AssertNothingEscaped(b.Rootfs, mounts);
        Assert.That(File.ReadAllText(Path.Combine(_outside.Sentinel, "host-file")), Is.EqualTo("HOST-FILE\n"));
        if (r.ExitCode == 0)
            Assert.That(r.Stdout, Does.Contain("VOLUME"), r.ToString());
        else
            Assert.That(r.Stderr, Does.Contain("mounts["), "a refusal names the mount\n" + r);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ANestedTargetBehindADanglingSymlinkIsCreatedInsideTheRootfs(bool relative)
    {
        // /data -> SENTINEL/made, which exists nowhere: a runtime that mkdir -p's through the link
        // creates SENTINEL/made/nested on the host.
        var b = Bundle("ls -d /data/nested").PrivateRootfs();
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "data"), LinkTo(Path.Combine(_outside.Sentinel, "made"), relative));
        b.AddMount("/data/nested", "bind", _source, "rbind");
        var mounts = _outside.RecordMounts(b);
        var id = H.NewId();
        var r = H.Run(b.Write(), id);
        _outside.AssertNothingEscaped(b.Rootfs, mounts);
        if (r.ExitCode == 0)
            Assert.That(Directory.Exists(b.Rootfs + _outside.Sentinel + "/made/nested"), "created below the rootfs\n" + r);
        else
            Assert.That(r.Stderr, Does.Contain("mounts[").And.Contain("/data/nested"), "a refusal names the mount\n" + r);
    }

    [TestCase(false, "/race")]
    [TestCase(true, "/race")]
    [TestCase(false, "/race/nested")]
    public void ADirectorySwappedWithASymlinkDuringCreateNeverMountsOutside(bool relative, string destination)
    {
        // The 2021 attack: a container (here a thread of the test) exchanges a directory and a
        // symlink to the host in the rootfs, over and over, while mounts are being set up.
        const int iterations = 40;
        var b = Bundle("true").PrivateRootfs();
        Directory.CreateDirectory(b.Rootfs + _outside.Sentinel);
        var dir = Path.Combine(b.Rootfs, "race");
        var link = Path.Combine(b.Rootfs, "race-link");
        Directory.CreateDirectory(Path.Combine(dir, "nested"));
        File.CreateSymbolicLink(link, LinkTo(_outside.Sentinel, relative));
        b.AddMount(destination, "bind", _source, "rbind");

        using var stop = new CancellationTokenSource();
        long swaps = 0;
        var swapper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
                if (RenameExchange(dir, link) == 0)
                    Interlocked.Increment(ref swaps);
        }) { IsBackground = true };
        swapper.Start();
        int ok = 0, refused = 0;
        try
        {
            for (int i = 0; i < iterations; i++)
            {
                var mounts = _outside.RecordMounts(b);
                var id = H.NewId("race");
                var r = H.Create(b.Write(), id);
                if (r.ExitCode == 0)
                {
                    ok++;
                    Assert.That(File.Exists(mounts), "the createContainer hook ran\n" + r);
                    var volume = MountInfo.Parse(File.ReadAllText(mounts)).Where(m => m.Root.EndsWith("/volume", StringComparison.Ordinal)).ToList();
                    Assert.That(volume, Is.Not.Empty, "the volume is mounted somewhere");
                    Assert.That(volume.Select(m => m.MountPoint), Has.All.Matches<string>(p => OutsideTheRootfs.IsUnder(p, b.Rootfs)),
                        "the volume is mounted inside the rootfs");
                    AssertOk(H.Delete(id, force: true));
                }
                else
                {
                    refused++;
                    Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
                    Assert.That(r.Stderr, Does.Contain(destination), "a refusal names the mount\n" + r);
                }
                _outside.AssertNothingEscaped(b.Rootfs, mounts);
                H.AssertNoLeftovers(id);
            }
        }
        finally
        {
            stop.Cancel();
            swapper.Join();
        }
        Assert.That(Interlocked.Read(ref swaps), Is.GreaterThan(iterations), "the swapper raced the creates");
        TestContext.Out.WriteLine($"{ok} created, {refused} refused, {swaps} swaps");
        Assert.That(ok, Is.GreaterThan(0), "some creates must get through while the rootfs is being swapped");
    }

    private const uint RENAME_EXCHANGE = 2;
    private const int AT_FDCWD = -100;

    private static int RenameExchange(string a, string b) => RenameAt2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
}
