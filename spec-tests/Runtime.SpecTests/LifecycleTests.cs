using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>runtime.md "Lifecycle": create sets everything up and waits; start runs the program.</summary>
[TestFixture]
public class LifecycleTests : SpecTest
{
    [Test]
    public void CreateWaitsWithoutRunningTheProgram()
    {
        var b = Bundle("echo program-ran").PrivateRootfs();
        b.Shell("touch /ran; echo program-ran");
        var id = H.NewId();
        var r = H.Create(b.Write(), id);
        AssertOk(r);
        int pid = H.Pid(id);
        Assert.That(Native.IsAlive(pid), "the container's init must exist after create");
        Assert.That(H.Status(id), Is.EqualTo("created"));
        Thread.Sleep(200);
        Assert.That(File.Exists(Path.Combine(b.Rootfs, "ran")), Is.False, "the program must not run before start");
        Assert.That(H.Output(id), Does.Not.Contain("program-ran"));
    }

    [Test]
    public void StartRunsTheProgramAndItStops()
    {
        var b = Bundle().PrivateRootfs();
        b.Shell("touch /ran; echo program-ran");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "program-ran");
        H.WaitForStatus(id, "stopped");
        Assert.That(File.Exists(Path.Combine(b.Rootfs, "ran")));
        AssertOk(H.Delete(id));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void StateIsRunningWhileTheProgramRuns()
    {
        var id = H.NewId();
        H.CreateOk(Bundle("echo up; sleep 30").Write(), id);
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "up");
        Assert.That(H.Status(id), Is.EqualTo("running"));
    }

    [Test]
    public void TheInitPidIsTheProgramsHostPid()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Start(id));
        // execve keeps the pid: the process the state names is now the user's program.
        ContainerHarness.WaitUntil(() => File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("sleep\0"), 5,
            () => $"pid {pid} to become `sleep 30` (cmdline: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')})");
        Assert.That(H.Pid(id), Is.EqualTo(pid));
    }

    [Test]
    public void StartTwiceFails()
    {
        var id = H.NewId();
        H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Start(id));
        AssertFails(H.Start(id), "cannot start an already running container");
        Assert.That(H.Status(id), Is.EqualTo("running"));
    }

    [Test]
    public void StartOfAStoppedContainerFails()
    {
        var id = H.NewId();
        H.CreateOk(Bundle("true").Write(), id);
        AssertOk(H.Start(id));
        H.WaitForStatus(id, "stopped");
        AssertFails(H.Start(id), "cannot start a container that has stopped");
    }

    [Test]
    public void StartOfAnUnknownContainerFails()
    {
        AssertFails(H.Start(H.NewId()), "container does not exist");
    }

    [Test]
    public void CreateWithATakenIdFailsAndLeavesTheFirstAlone()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertFails(H.Create(Bundle("true").Write(), id), "container with given ID already exists");
        Assert.That(H.Status(id), Is.EqualTo("created"));
        Assert.That(H.Pid(id), Is.EqualTo(pid));
        Assert.That(Native.IsAlive(pid));
    }

    [TestCase("../escape")]
    [TestCase("a/b")]
    [TestCase("..")]
    [TestCase(".")]
    public void CreateRejectsAnInvalidId(string id)
    {
        AssertFails(H.Runtime("create", "--bundle", Bundle().Write(), id), "invalid container ID");
        Assert.That(Directory.Exists(H.StateRoot) ? Directory.GetFileSystemEntries(H.StateRoot) : Array.Empty<string>(), Is.Empty);
        Assert.That(File.Exists(Path.Combine(H.Dir, "escape")), Is.False);
    }

    [Test]
    public void CreateWritesTheHostPidToThePidFileAtomically()
    {
        var id = H.NewId();
        var dir = H.NewDir("pids");
        var pidFile = Path.Combine(dir, "init.pid");
        AssertOk(H.Create(Bundle("sleep 30").Write(), id, "--pid-file", pidFile));
        var text = File.ReadAllText(pidFile);
        Assert.That(int.Parse(text.Trim()), Is.EqualTo(H.Pid(id)), "the pid file holds the host pid of the init");
        Assert.That(Directory.GetFileSystemEntries(dir), Is.EqualTo(new[] { pidFile }), "no temporary file stays beside the pid file");
    }

    [Test]
    public void APidFileThatCannotBeWrittenFailsCreateAndLeavesNothing()
    {
        var id = H.NewId();
        var pidFile = Path.Combine(H.Dir, "no-such-dir", "init.pid");
        AssertFails(H.Create(Bundle("sleep 30").Write(), id, "--pid-file", pidFile), pidFile);
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ThePidFileReplacesAnOldOne()
    {
        var id = H.NewId();
        var pidFile = Path.Combine(H.Dir, "init.pid");
        File.WriteAllText(pidFile, "999999999 stale");
        AssertOk(H.Create(Bundle("sleep 30").Write(), id, "--pid-file", pidFile));
        Assert.That(File.ReadAllText(pidFile).Trim(), Is.EqualTo(H.Pid(id).ToString()));
    }

    [Test]
    public void CreateWithARelativeRootPathUsesTheBundle()
    {
        var b = Bundle("echo relative-ok").PrivateRootfs().RootPath("rootfs");
        var out1 = Inside(b);
        Assert.That(out1, Does.Contain("relative-ok"));
    }

    [Test]
    public void ListShowsTheContainers()
    {
        var a = H.NewId();
        var c = H.NewId();
        H.CreateOk(Bundle("sleep 30").Write(), a);
        H.CreateOk(Bundle("sleep 30").Write(), c);
        var r = H.Runtime("list");
        AssertOk(r);
        Assert.That(r.Stdout, Does.Contain(a).And.Contain(c));
    }
}
