using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>runtime.md "Kill": signals by name (with or without SIG, any case) or number, TERM by default.</summary>
[TestFixture]
public class KillTests : SpecTest
{
    /// <summary>A container whose init reports each caught signal. (As pid 1 of its pid namespace it
    /// would ignore signals it has no handler for.)</summary>
    private string StartTrapping()
    {
        var id = H.NewId();
        var traps = string.Concat(new[] { "TERM", "INT", "HUP", "USR1", "USR2", "QUIT" }.Select(s => $"trap 'echo got-{s}' {s}; "));
        H.CreateOk(Bundle(traps + "echo ready; while true; do sleep 0.05; done").Write(), id);
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "ready");
        return id;
    }

    [Test]
    public void DefaultSignalIsTerm()
    {
        var id = StartTrapping();
        AssertOk(H.Kill(id));
        H.WaitForOutput(id, "got-TERM");
    }

    [TestCase("TERM", "TERM")]
    [TestCase("SIGTERM", "TERM")]
    [TestCase("15", "TERM")]
    [TestCase("USR1", "USR1")]
    [TestCase("SIGUSR1", "USR1")]
    [TestCase("10", "USR1")]
    [TestCase("usr2", "USR2")]
    [TestCase("SIGHUP", "HUP")]
    [TestCase("2", "INT")]
    [TestCase("QUIT", "QUIT")]
    public void SignalByNameOrNumber(string given, string expected)
    {
        var id = StartTrapping();
        AssertOk(H.Kill(id, given));
        H.WaitForOutput(id, "got-" + expected);
        Assert.That(H.Output(id), Does.Not.Contain("got-" + (expected == "TERM" ? "USR1" : "TERM")), "exactly the named signal");
    }

    [TestCase("KILL")]
    [TestCase("SIGKILL")]
    [TestCase("9")]
    public void KillStopsARunningContainer(string signal)
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Start(id));
        AssertOk(H.Kill(id, signal));
        H.WaitForStatus(id, "stopped");
        Assert.That(Native.IsAlive(pid), Is.False);
    }

    [Test]
    public void KillOfACreatedContainerStopsIt()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Kill(id, "KILL"));
        H.WaitForStatus(id, "stopped");
        Assert.That(Native.IsAlive(pid), Is.False);
    }

    [Test]
    public void KillOfAStoppedContainerFailsLikeRunc()
    {
        var id = H.NewId();
        H.CreateOk(Bundle("true").Write(), id);
        AssertOk(H.Start(id));
        H.WaitForStatus(id, "stopped");
        AssertFails(H.Kill(id, "KILL"), "container not running");
    }

    [TestCase("NOSUCHSIG")]
    [TestCase("SIGFOO")]
    [TestCase("99")]
    [TestCase("-1")]
    public void AnUnknownSignalIsAnErrorAndSendsNothing(string signal)
    {
        var id = StartTrapping();
        var r = H.Kill(id, signal);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain(signal).Or.Contain("signal"), r.ToString());
        Thread.Sleep(100);
        Assert.That(H.Status(id), Is.EqualTo("running"));
        Assert.That(H.Output(id), Does.Not.Contain("got-"));
    }

    [Test]
    public void KillOfAnUnknownContainerFails()
    {
        AssertFails(H.Kill(H.NewId(), "KILL"), "container does not exist");
    }
}
