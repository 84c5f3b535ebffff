using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>The example bundle runs in the foreground and leaves nothing behind.</summary>
public class SmokeTests
{
    [Test]
    public void ExampleBundleRunsAndCleansUp()
    {
        var root = Path.Combine(Path.GetTempPath(), "runtime-smoke-" + Guid.NewGuid().ToString("N"));
        var id = "smoke-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var r = RuntimeBinary.Run(new[] { "--root", root, "run", "--bundle", Path.Combine(RuntimeBinary.RepoRoot, "bundles", "busybox"), id },
                timeout: TimeSpan.FromSeconds(30));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            Assert.That(r.Stdout, Does.Contain("Hello from a busybox container: busybox, pid 1"));
            Assert.That(r.Stdout, Does.Contain("uid=0(root) gid=0(root)"));
            Assert.That(Directory.Exists(Path.Combine(root, id)), Is.False, "run must delete the container afterwards");
        }
        finally
        {
            RuntimeBinary.Run("--root", root, "delete", "--force", id);
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
