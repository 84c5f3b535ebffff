using System.Diagnostics;
using NUnit.Framework;

namespace Runtime.Bench.Tests;

/// <summary>The harness's process plumbing against the real spawnd (compiled from bench/spawnd.c).</summary>
public class SpawnerTests
{
    private string _dir = "";
    private Spawner _sp = null!;

    [OneTimeSetUp]
    public void CompileSpawnd()
    {
        _dir = Directory.CreateTempSubdirectory("spawnd-test-").FullName;
        var source = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../spawnd.c"));
        if (!File.Exists("/usr/bin/gcc")) Assert.Ignore("gcc is not installed");
        using var gcc = Process.Start("/usr/bin/gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", Path.Combine(_dir, "spawnd"), source])!;
        gcc.WaitForExit();
        Assert.That(gcc.ExitCode, Is.Zero, "gcc spawnd.c");
        _sp = new Spawner(Path.Combine(_dir, "spawnd"), Path.Combine(_dir, "scratch"));
    }

    [OneTimeTearDown]
    public void Remove()
    {
        _sp?.Dispose();
        if (_dir != "") Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void PeakRssIsTheCommandsOwnNotTheHarnesss()
    {
        var f = _sp.Run("/bin/true", []);
        // The .NET harness holds tens of MB; /bin/true forked from spawnd holds about 1 MB.
        Assert.That(f.MaxRssKb, Is.GreaterThan(0).And.LessThan(4096));
        Assert.That(f.Ms, Is.GreaterThan(0).And.LessThan(5000));
    }

    [Test]
    public void CapturesStdout()
    {
        Assert.That(_sp.Run("/bin/sh", ["-c", "echo hello"]).Stdout, Is.EqualTo("hello\n"));
    }

    [Test]
    public void FailureCarriesExitStatusAndStderr()
    {
        var e = Assert.Throws<CommandFailed>(() => _sp.Run("/bin/sh", ["-c", "echo boom >&2; exit 3"]))!;
        Assert.That(e.Message, Is.EqualTo("exit status 3: boom"));
    }

    [Test]
    public void MissingProgramIsAnError()
    {
        var e = Assert.Throws<CommandFailed>(() => _sp.Run("/nonexistent/runtime", ["--version"]))!;
        Assert.That(e.Message, Does.StartWith("exit status 127: spawnd: exec /nonexistent/runtime"));
    }

    [Test]
    public void OrphansAreReparentedAndTheirExitTimed()
    {
        // The shell leaves a background sleep behind, as a runtime leaves a container init.
        var f = _sp.Run("/bin/sh", ["-c", "sleep 0.3 & echo $!"]);
        int pid = int.Parse(f.Stdout.Trim());
        Assert.That(Suite.ParentOf(pid), Is.EqualTo(_sp.ServerPid));
        var exit = _sp.WaitFor(pid, TimeSpan.FromSeconds(5), out bool timedOut);
        Assert.That(timedOut, Is.False);
        Assert.That((exit.EndNs - f.EndNs) / 1e6, Is.GreaterThan(200));
    }

    [Test]
    public void TimeoutKillsTheCommand()
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<CommandFailed>(() => _sp.Run("/bin/sleep", ["10"], TimeSpan.FromMilliseconds(300)))!;
        Assert.That(e.Message, Does.Contain("timed out"));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void WaitingForAStrangerIsAnError()
    {
        Assert.Throws<CommandFailed>(() => _sp.WaitFor(1, TimeSpan.FromSeconds(1), out _));
    }
}
