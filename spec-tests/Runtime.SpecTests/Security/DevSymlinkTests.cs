using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// The rootfs's /dev itself is a symlink out of the rootfs (absolute to a host directory, to the
/// host's /tmp, or climbing with ".."): the /dev tmpfs, /dev/pts, /dev/shm, /dev/mqueue mounts and
/// every device node and /dev symlink the runtime makes must land inside the rootfs (the link is
/// followed as if the rootfs were "/"), or create must fail with a clear error. A runtime that joins
/// rootfs + "/dev/null" and lets the kernel follow the link makes device nodes and mounts on the host.
/// </summary>
[TestFixture]
public class DevSymlinkTests : SpecTest
{
    /// <summary>What the runtime makes in /dev: none of it may appear in the host directory.</summary>
    private static readonly string[] Made = { "null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "ptmx", "fd", "stdin", "stdout", "stderr", "core", "console" };

    private const string Script = "stat -c '%n=%F %t:%T' /dev/null; ls /dev/pts/ptmx; echo end";

    private (RuntimeResult Result, string Mounts) Run(BundleBuilder b, OutsideTheRootfs outside)
    {
        var mounts = outside.RecordMounts(b);
        var id = H.NewId();
        var r = H.Run(b.Write(), id);
        H.AssertNoLeftovers(id);
        return (r, mounts);
    }

    private static void AssertRanOrRefused(RuntimeResult r)
    {
        if (r.ExitCode != 0)
        {
            Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
            Assert.That(r.Stderr, Does.Contain("/dev"), "a refusal names /dev\n" + r);
            return;
        }
        Assert.That(r.Stdout, Does.Contain("/dev/null=character special file 1:3").And.Contain("/dev/pts/ptmx").And.Contain("end"), r.ToString());
    }

    [TestCase(false, true)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(true, false)]
    public void ADevSymlinkToAHostDirectoryGetsNothingOnTheHost(bool relative, bool devTmpfs)
    {
        var outside = new OutsideTheRootfs(H, "hostdev");
        var b = Bundle(Script).PrivateRootfs();
        if (!devTmpfs) b.RemoveMount("/dev");
        Directory.Delete(Path.Combine(b.Rootfs, "dev"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev"), (relative ? "../../../../../../../../../.." : "") + outside.Sentinel);
        var (r, mounts) = Run(b, outside);
        outside.AssertNothingEscaped(b.Rootfs, mounts);
        foreach (var name in Made)
            Assert.That(Path.Exists(Path.Combine(outside.Sentinel, name)), Is.False, $"{name} made on the host");
        AssertRanOrRefused(r);
        if (r.ExitCode == 0)
            Assert.That(Directory.Exists(b.Rootfs + outside.Sentinel), "the link was followed inside the rootfs");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ADevSymlinkToTheHostsTmpGetsNothingInTmp(bool devTmpfs)
    {
        // /tmp is shared by everything on the host: the runtime must not make nodes or mounts there.
        var outside = new OutsideTheRootfs(H);
        var before = Made.Where(n => Path.Exists(Path.Combine("/tmp", n)) || new FileInfo(Path.Combine("/tmp", n)).LinkTarget != null).ToList();
        var b = Bundle(Script).PrivateRootfs();
        if (!devTmpfs) b.RemoveMount("/dev");
        Directory.Delete(Path.Combine(b.Rootfs, "dev"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "dev"), "/tmp");
        RuntimeResult r;
        string mounts;
        try
        {
            (r, mounts) = Run(b, outside);
            outside.AssertNothingEscaped(b.Rootfs, mounts, Made.Select(n => Path.Combine("/tmp", n)).ToArray());
            Assert.That(Made.Where(n => Path.Exists(Path.Combine("/tmp", n)) || new FileInfo(Path.Combine("/tmp", n)).LinkTarget != null),
                Is.EquivalentTo(before), "device nodes or links appeared in the host's /tmp");
        }
        finally
        {
            // A runtime that fails this leaves its nodes and links in the host's /tmp: remove what it made.
            foreach (var n in Made.Except(before).Select(n => Path.Combine("/tmp", n)))
                if (new FileInfo(n).LinkTarget != null || File.Exists(n)) File.Delete(n);
                else if (Directory.Exists(n) && !Directory.EnumerateFileSystemEntries(n).Any()) Directory.Delete(n);
        }
        AssertRanOrRefused(r);
        if (r.ExitCode == 0 && devTmpfs)
            Assert.That(MountInfo.At(MountInfo.Read(mounts), b.Rootfs + "/tmp")?.FsType, Is.EqualTo("tmpfs"), "the /dev tmpfs went to the rootfs's /tmp");
        else if (r.ExitCode == 0)
            Assert.That(Path.Exists(Path.Combine(b.Rootfs, "tmp", "null")), "the nodes went to the rootfs's /tmp");
    }
}
