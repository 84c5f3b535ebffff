using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// The state root and each container's directory hold the exec fifo, the state (pids, bundle path)
/// and locks: 0700, whatever the caller's umask, so other users can neither read nor plant anything.
/// </summary>
[TestFixture]
public class StateDirTests : SpecTest
{
    private const UnixFileMode Mask = (UnixFileMode)0x1ff;

    [TestCase("umask 000;")]
    [TestCase("umask 022;")]
    [TestCase("umask 077;")]
    public void TheStateRootAndTheContainerDirectoryAre0700(string umask)
    {
        var id = H.NewId();
        var r = H.Create(new RuntimeCall { ShellPrefix = umask }, Bundle("sleep 30").Write(), id);
        AssertOk(r);
        Assert.That(File.GetUnixFileMode(H.StateRoot) & Mask, Is.EqualTo((UnixFileMode)0x1c0), "state root");
        Assert.That(File.GetUnixFileMode(Path.Combine(H.StateRoot, id)) & Mask, Is.EqualTo((UnixFileMode)0x1c0), "container directory");
    }

    [Test]
    public void EveryStateRootDirectoryTheRuntimeMakesIs0700()
    {
        // --root a/b/state where a and b do not exist: runc's MkdirAll(root, 0700).
        var root = Path.Combine(H.Dir, "a", "b", "state");
        var id = H.NewId();
        var r = RuntimeBinary.Exec("/bin/sh", new[] { "-c", "umask 000; exec \"$0\" \"$@\"", RuntimeBinary.Path,
            "--root", root, "create", "--bundle", Bundle("sleep 30").Write(), id });
        try
        {
            Assert.That(r.ExitCode, Is.Zero, r.ToString());
            foreach (var dir in new[] { Path.Combine(H.Dir, "a"), Path.Combine(H.Dir, "a", "b"), root, Path.Combine(root, id) })
                Assert.That(File.GetUnixFileMode(dir) & Mask, Is.EqualTo((UnixFileMode)0x1c0), dir);
        }
        finally
        {
            RuntimeBinary.Run("--root", root, "delete", "--force", id);
        }
    }
}
