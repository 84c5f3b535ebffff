using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>
/// Failures during create: one line on stderr, exit 1, naming the config field (and the stage's
/// operation and errno where a syscall failed), e.g. "mounts[3] (/proc -> /proc): mount: EPERM";
/// and nothing stays behind: no process, no mount, no state directory.
/// </summary>
[TestFixture]
public class ErrorsTests : SpecTest
{
    /// <summary>Create must fail naming every fragment, then nothing of the container may remain.</summary>
    private void CreateFails(BundleBuilder b, params string[] fragments)
    {
        var id = H.NewId();
        var r = H.Create(b.Write(), id);
        AssertFails(r, fragments);
        Assert.That(r.Stderr.Trim(), Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "), "an error message, not a crash");
        H.AssertNoLeftovers(id);
        AssertFails(H.Runtime("state", id), "container does not exist");
    }

    private static int Index(BundleBuilder b) => b.Mounts.Count - 1;

    [Test]
    public void ProcInAUserNamespaceWithoutItsOwnPidNamespaceIsEPERM()
    {
        // The issue's own example: proc can only be mounted by the owner of the pid namespace.
        var b = Bundle().UserNamespace().WithoutNamespace("pid");
        CreateFails(b, "mounts[0] (proc -> /proc)", "mount", "EPERM");
    }

    [Test]
    public void AnUnknownFilesystemTypeIsENODEV()
    {
        var b = Bundle().AddMount("/run", "nosuchfs", "none");
        CreateFails(b, $"mounts[{Index(b)}] (none -> /run)", "ENODEV");
    }

    [Test]
    public void ABadFilesystemOptionIsEINVAL()
    {
        var b = Bundle().AddMount("/run", "tmpfs", "tmpfs", "size=not-a-size");
        CreateFails(b, $"mounts[{Index(b)}] (tmpfs -> /run)", "EINVAL");
    }

    [Test]
    public void AMissingBindSourceIsNamed()
    {
        var missing = Path.Combine(H.Dir, "no-such-source");
        var b = Bundle().AddMount("/home", "bind", missing, "rbind");
        CreateFails(b, $"mounts[{Index(b)}]", missing);
    }

    [Test]
    public void ADirectoryMountOverAFileIsNamed()
    {
        var b = Bundle().AddMount("/etc/passwd", "tmpfs", "tmpfs");
        CreateFails(b, $"mounts[{Index(b)}] (tmpfs -> /etc/passwd)", "/etc/passwd");
    }

    [Test]
    public void AnUnknownMountOptionOnBindIsNamed()
    {
        // Unknown options of a new mount are data for the filesystem: tmpfs rejects this one.
        var b = Bundle().AddMount("/run", "tmpfs", "tmpfs", "bogus_option");
        CreateFails(b, $"mounts[{Index(b)}]", "EINVAL");
    }

    [Test]
    public void AProgramNotOnThePathIsRuncsError()
    {
        CreateFails(Bundle().Args("no-such-program"), "exec: \"no-such-program\": executable file not found in $PATH");
    }

    [Test]
    public void AProgramThatDoesNotExistIsNamed()
    {
        CreateFails(Bundle().Args("/no/such/program"), "/no/such/program");
    }

    [Test]
    public void AProgramThatIsNotExecutableIsNamed()
    {
        CreateFails(Bundle().Args("/etc/passwd"), "/etc/passwd", "permission denied");
    }

    [Test]
    public void ACwdThatIsAFileIsNamed()
    {
        CreateFails(Bundle().Cwd("/etc/passwd"), "process.cwd", "/etc/passwd");
    }

    [Test]
    public void AMissingProcessIsNamed()
    {
        CreateFails(Bundle().Edit(c => c.Remove("process")), "process");
    }

    [Test]
    public void EmptyArgsAreNamed()
    {
        CreateFails(Bundle().Args(), "process.args");
    }

    [Test]
    public void AMissingRootfsIsNamed()
    {
        var missing = Path.Combine(H.Dir, "no-rootfs");
        CreateFails(Bundle().RootPath(missing), "root.path", missing);
    }

    [Test]
    public void AMissingConfigIsNamed()
    {
        var b = Bundle();
        Directory.CreateDirectory(b.Path);
        var id = H.NewId();
        AssertFails(H.Create(b.Path, id), "config.json");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void MalformedJsonIsNamed()
    {
        var b = Bundle();
        var id = H.NewId();
        AssertFails(H.Create(b.WriteRaw("{ \"ociVersion\": \"1.0.2\", \"process\": "), id), "config.json");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AFieldOfTheWrongTypeIsNamed()
    {
        var b = Bundle().Edit(c => c["process"]!["args"] = "sh");
        var id = H.NewId();
        AssertFails(H.Create(b.Write(), id), "config.json", "args");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AMissingBundleIsNamed()
    {
        var missing = Path.Combine(H.Dir, "no-bundle");
        var id = H.NewId();
        AssertFails(H.Create(missing, id), missing);
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AnEmptyUidMappingIsRefusedBeforeTheKernelSeesIt()
    {
        var b = Bundle().UserNamespace().LinuxField("uidMappings", """[{"containerID": 0, "hostID": 100000, "size": 0}]""");
        CreateFails(b, "linux.uidMappings[0].size", "greater than 0");
    }

    [Test]
    public void OverlappingUidMappingsAreNamed()
    {
        var b = Bundle().UserNamespace()
            .LinuxField("uidMappings", """[{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 500, "hostID": 300000, "size": 1000}]""");
        CreateFails(b, "linux.uidMappings", "EINVAL");
    }

    [Test]
    public void ATerminalWithoutAConsoleSocketIsRuncsError()
    {
        CreateFails(Bundle().Edit(c => c["process"]!["terminal"] = true), "cannot allocate tty if runtime will detach without setting console socket");
    }

    [Test]
    public void ADeviceOverADirectoryIsNamed()
    {
        CreateFails(Bundle().Device("/dev/pts", "c", 1, 3), "linux.devices[0]", "/dev/pts");
    }

    [Test]
    public void AnErrorAfterPivotRootLeavesNothingEither()
    {
        // Masking a path with a bad /dev/null fails after pivot_root, late in the init.
        CreateFails(Bundle().Device("/dev/null", "c", 1, 5), "/dev/null");
    }

    [Test]
    public void AFailedCreateKeepsTheIdFree()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Args("no-such-program").Write(), id), "no-such-program");
        var r = H.Create(Bundle("true").Write(), id);
        AssertOk(r);
        Assert.That(H.Status(id), Is.EqualTo("created"));
    }
}
