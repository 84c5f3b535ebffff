using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>`run` = create + start; in the foreground it stays the container's parent: forwards
/// signals, reaps, exits with the container's status, deletes the container unless --keep.</summary>
[TestFixture]
public class RunTests : SpecTest
{
    [Test]
    public void RunPrintsTheOutputAndExitsWithTheContainersStatus()
    {
        var id = H.NewId();
        var r = H.Run(Bundle("echo hello-from-run; exit 7").Write(), id);
        Assert.That(r.ExitCode, Is.EqualTo(7), r.ToString());
        Assert.That(r.Stdout, Does.Contain("hello-from-run"));
    }

    [Test]
    public void RunPassesTheContainersStderrThrough()
    {
        var r = H.Run(Bundle("echo to-stderr >&2").Write(), H.NewId());
        AssertOk(r);
        Assert.That(r.Stderr, Does.Contain("to-stderr"));
    }

    [Test]
    public void RunDeletesTheContainerAfterwards()
    {
        var id = H.NewId();
        AssertOk(H.Run(Bundle("true").Write(), id));
        AssertFails(H.Runtime("state", id), "container does not exist");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void RunKeepLeavesAStoppedContainer()
    {
        var id = H.NewId();
        AssertOk(H.Run(Bundle("true").Write(), id, "--keep"));
        Assert.That(H.Status(id), Is.EqualTo("stopped"));
        AssertOk(H.Delete(id));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void RunDetachReturnsWhileTheContainerRuns()
    {
        var id = H.NewId();
        var r = H.Run(Bundle("echo detached-up; sleep 30").Write(), id, "--detach");
        AssertOk(r);
        Assert.That(H.Status(id), Is.EqualTo("running"));
        H.WaitForOutput(id, "detached-up");
    }

    [Test]
    public void RunWithoutAPidNamespaceStillReportsTheExitStatus()
    {
        var r = H.Run(Bundle("exit 5").WithoutNamespace("pid").Write(), H.NewId());
        Assert.That(r.ExitCode, Is.EqualTo(5), r.ToString());
    }

    [TestCase("KILL", 137)]
    [TestCase("9", 137)]
    public void AKilledContainerExitsWith128PlusTheSignal(string signal, int expected)
    {
        var id = H.NewId();
        var run = H.StartInBackground(new RuntimeCall(), "run", "--bundle", Bundle("echo up; sleep 30").Write(), id);
        run.WaitForOutput("up");
        AssertOk(H.Kill(id, signal));
        Assert.That(run.WaitForExit(), Is.EqualTo(expected), run.Stderr);
    }

    [TestCase(Native.SIGTERM, "TERM")]
    [TestCase(Native.SIGINT, "INT")]
    [TestCase(Native.SIGHUP, "HUP")]
    [TestCase(Native.SIGUSR1, "USR1")]
    public void SignalsToTheForegroundRunReachTheContainer(int sig, string name)
    {
        var id = H.NewId();
        var b = Bundle($"trap 'echo got-{name}; exit 3' {name}; echo up; while true; do sleep 0.05; done");
        var run = H.StartInBackground(new RuntimeCall(), "run", "--bundle", b.Write(), id);
        run.WaitForOutput("up");
        // The window between the container's start and the handler's installation is the next test's.
        Thread.Sleep(300);
        run.Signal(sig);
        Assert.That(run.WaitForExit(), Is.EqualTo(3), "run exits with the container's status\n" + run.Stdout + run.Stderr);
        Assert.That(run.Stdout, Does.Contain("got-" + name));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ASignalWhilePoststartHooksRunIsForwardedToo()
    {
        var id = H.NewId();
        var b = Bundle("trap 'echo got-TERM; exit 3' TERM; echo up; while true; do sleep 0.05; done")
            .ShellHook("poststart", "sleep 1");
        var run = H.StartInBackground(new RuntimeCall(), "run", "--bundle", b.Write(), id);
        run.WaitForOutput("up");
        run.Signal(Native.SIGTERM);
        Assert.That(run.WaitForExit(), Is.EqualTo(3), "run exits with the container's status\n" + run.Stdout + run.Stderr);
        Assert.That(run.Stdout, Does.Contain("got-TERM"));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void RunDetachWritesThePidFile()
    {
        var id = H.NewId();
        var pidFile = Path.Combine(H.Dir, "run.pid");
        AssertOk(H.Run(Bundle("sleep 30").Write(), id, "--detach", "--pid-file", pidFile));
        Assert.That(int.Parse(File.ReadAllText(pidFile).Trim()), Is.EqualTo(H.Pid(id)));
    }

    [Test]
    public void ARunThatFailsToCreateLeavesNothing()
    {
        var id = H.NewId();
        var r = H.Run(Bundle().Args("/no/such/program").Write(), id);
        AssertFails(r, "/no/such/program");
        AssertFails(H.Runtime("state", id), "container does not exist");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void RunReapsTheContainersOrphans()
    {
        // The orphaned grandchild is reparented to the container's init (pid 1), which exits; the
        // pid namespace dies with it and `run` must still return promptly.
        var r = H.Run(Bundle("(sleep 0.2 &) ; echo parent-done").Write(), H.NewId());
        AssertOk(r);
        Assert.That(r.Stdout, Does.Contain("parent-done"));
    }
}
