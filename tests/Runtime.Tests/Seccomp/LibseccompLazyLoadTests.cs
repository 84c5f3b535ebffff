using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.Tests.Seccomp;

/// <summary>libseccomp is bound on first use only: the published binary does not link it, and starts
/// and runs a container without seccomp on a host where libseccomp.so.2 cannot be loaded (staged
/// in a private mount namespace by mounting /dev/null over the library).</summary>
public class LibseccompLazyLoadTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("libseccomp-lazy-").FullName;

    [TearDown]
    public void TearDown()
    {
        RuntimeBinary.Run("--root", Path.Combine(_dir, "state"), "delete", "--force", "lazy-seccomp");
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void TheBinaryDoesNotLinkLibseccomp()
    {
        var r = RuntimeBinary.Exec("readelf", new[] { "--dynamic", RuntimeBinary.Path });
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("(NEEDED)"), "readelf shows the binary's needed libraries");
        Assert.That(r.Stdout, Does.Not.Contain("libseccomp"));
    }

    [Test]
    public void ContainersWithoutSeccompRunWhereLibseccompCannotBeLoaded()
    {
        var bundle = Path.Combine(_dir, "bundle");
        Directory.CreateDirectory(bundle);
        var mk = RuntimeBinary.Exec("bash", new[] { Path.Combine(RuntimeBinary.RepoRoot, "bundles", "make-rootfs.sh"), Path.Combine(bundle, "rootfs") });
        Assert.That(mk.ExitCode, Is.EqualTo(0), mk.ToString());
        var config = File.ReadAllText(Path.Combine(RuntimeBinary.RepoRoot, "bundles", "busybox", "config.json"));
        var jq = RuntimeBinary.Exec("jq", new[] { ".process.args = [\"true\"] | .process.terminal = false | del(.linux.seccomp)" }, stdin: config);
        Assert.That(jq.ExitCode, Is.EqualTo(0), jq.ToString());
        File.WriteAllText(Path.Combine(bundle, "config.json"), jq.Stdout);

        var lib = new FileInfo("/usr/lib/x86_64-linux-gnu/libseccomp.so.2");
        var hide = lib.Exists ? $"mount --bind /dev/null {lib.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? lib.FullName} && " : "";
        var script = hide +
                     "test ! -s /usr/lib/x86_64-linux-gnu/libseccomp.so.2 && " +
                     "\"$0\" --version && \"$0\" --root \"$1\" run --bundle \"$2\" lazy-seccomp";
        var r = RuntimeBinary.Exec("unshare", new[]
        {
            "-m", "--propagation", "private", "sh", "-c", script, RuntimeBinary.Path, Path.Combine(_dir, "state"), bundle,
        }, timeout: TimeSpan.FromSeconds(60));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.StartWith("runtime version "));
    }
}
