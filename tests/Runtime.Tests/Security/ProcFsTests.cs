using NUnit.Framework;
using Runtime.Linux;

namespace Runtime.Tests.Security;

/// <summary>The verified procfs handle: real procfs roots only, no symlinks, no crossing mounts
/// (the CVE-2019-16884 / 2025-52881 family). Attacks are staged in a thread-private mount namespace.</summary>
public class ProcFsTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("procfs-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void ReadsThroughTheRealProc()
    {
        using var proc = ProcFs.Open("/proc");
        Assert.That(proc.Read("version", "test"), Does.StartWith("Linux version"));
        var self = proc.ThreadSelf("status");
        Assert.That(self, Does.Match(@"^\d+/task/\d+/status$"));
        Assert.That(self, Does.StartWith($"{Environment.ProcessId}/task/"));
        Assert.That(proc.Read(self, "test"), Does.Contain($"Tgid:\t{Environment.ProcessId}\n"));
        Assert.That(proc.Exists(proc.ThreadSelf("attr/exec"), "test"));
        Assert.That(proc.Exists("no-such-entry", "test"), Is.False);
    }

    [Test]
    public void APlainDirectoryIsNotProc()
    {
        var e = Assert.Throws<RuntimeException>(() => ProcFs.Open(_dir))!;
        Assert.That(e.Message, Is.EqualTo($"{_dir} is not a procfs mount: refusing to write through it"));
    }

    [Test]
    public void ATmpfsIsNotProc()
    {
        var message = PrivateMountThread.Run(() =>
        {
            Libc.Check(Libc.Mount("tmpfs", _dir, "tmpfs", 0, "size=1m"), "mount tmpfs");
            return Assert.Throws<RuntimeException>(() => ProcFs.Open(_dir))!.Message;
        });
        Assert.That(message, Does.Contain("is not a procfs mount"));
    }

    [Test]
    public void ASymlinkToProcIsRefused()
    {
        var link = Path.Combine(_dir, "proc");
        File.CreateSymbolicLink(link, "/proc");
        Assert.Catch(() => ProcFs.Open(link));
    }

    [Test]
    public void ADirectoryInsideProcIsNotItsRoot()
    {
        var e = Assert.Throws<RuntimeException>(() => ProcFs.Open("/proc/sys"))!;
        Assert.That(e.Message, Does.Contain("is not the root of a procfs mount"));
        // The same, as a container could stage it: /proc/sys bind-mounted over /proc.
        var message = PrivateMountThread.Run(() =>
        {
            Libc.Check(Libc.Mount("/proc/sys", "/proc", null, Libc.MS_BIND, null), "bind /proc/sys over /proc");
            return Assert.Throws<RuntimeException>(() => ProcFs.Open("/proc"))!.Message;
        });
        Assert.That(message, Does.Contain("is not the root of a procfs mount"));
    }

    [Test]
    public void SymlinksInsideProcAreNotFollowed()
    {
        using var proc = ProcFs.Open("/proc");
        var e = Assert.Throws<RuntimeException>(() => proc.Read("self/status", "test"))!;
        Assert.That(e.Message, Does.Contain("/proc/self/status is a symlink or crosses a mount"));
    }

    [Test]
    public void AProcFileMountedOverAnotherIsRefused()
    {
        // CVE-2025-52881: redirect a write by bind-mounting one procfs file over another.
        var (read, exists) = PrivateMountThread.Run(() =>
        {
            Libc.Check(Libc.Mount("/proc/version", "/proc/sys/kernel/ostype", null, Libc.MS_BIND, null), "bind over ostype");
            using var proc = ProcFs.Open("/proc");
            var r = Assert.Throws<RuntimeException>(() => proc.Read("sys/kernel/ostype", "test"))!.Message;
            var x = Assert.Throws<RuntimeException>(() => proc.Write("sys/kernel/ostype", "x", "test"))!.Message;
            return (r, x);
        });
        Assert.That(read, Does.Contain("/proc/sys/kernel/ostype is a symlink or crosses a mount"));
        Assert.That(exists, Does.Contain("crosses a mount"));
    }

    [Test]
    public void AFakeProcOverTheRealOneIsRefused()
    {
        var message = PrivateMountThread.Run(() =>
        {
            Libc.Check(Libc.Mount(_dir, "/proc", null, Libc.MS_BIND, null), "bind a directory over /proc");
            return Assert.Throws<RuntimeException>(() => ProcFs.Open("/proc"))!.Message;
        });
        Assert.That(message, Is.EqualTo("/proc is not a procfs mount: refusing to write through it"));
    }
}
