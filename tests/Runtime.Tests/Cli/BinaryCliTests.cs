using System.Text.Json;
using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.Tests.Cli;

/// <summary>The command line as callers see it: the published binary's exit statuses, stdout, stderr and log file.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class BinaryCliTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("runtime-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Root => Path.Combine(_dir, "root");

    [Test]
    public void MissingIdIsAUsageError()
    {
        var r = RuntimeBinary.Run("--root", Root, "delete");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stdout, Does.StartWith("Incorrect Usage.\n\nNAME:\n   runtime delete"));
        // Without --log the log is stderr, in logrus's text format (as runc).
        Assert.That(r.Stderr, Does.Match("^time=\"[0-9T:+Z-]+\" level=error msg=\"runtime: \\\\\"delete\\\\\" requires exactly 1 argument\\(s\\)\"\n$"));
    }

    [Test]
    public void UnknownFlagIsAUsageError()
    {
        var r = RuntimeBinary.Run("--root", Root, "kill", "--bogus", "c1");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("flag provided but not defined: -bogus"));
        var g = RuntimeBinary.Run("--bogus", "list");
        Assert.That(g.ExitCode, Is.EqualTo(1), g.ToString());
        Assert.That(g.Stderr, Does.Contain("flag provided but not defined: -bogus"));
        Assert.That(g.Stdout, Does.Contain("GLOBAL OPTIONS:"));
    }

    [Test]
    public void BadValueIsAUsageError()
    {
        var r = RuntimeBinary.Run("--root", Root, "create", "--preserve-fds=x", "c1");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("invalid value \\\"x\\\" for flag -preserve-fds: parse error"));
    }

    [Test]
    public void UsageErrorGoesToTheJsonLogAndPlainToStderr()
    {
        string log = Path.Combine(_dir, "log.json");
        var r = RuntimeBinary.Run("--root", Root, "--log", log, "--log-format", "json", "kill", "c1", "SIGNOPE");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Is.EqualTo("unknown signal \"SIGNOPE\"\n"));
        using var doc = JsonDocument.Parse(File.ReadAllText(log));
        Assert.That(doc.RootElement.GetProperty("msg").GetString(), Is.EqualTo("unknown signal \"SIGNOPE\""));
    }

    [Test]
    public void UnknownCommandExitsThree()
    {
        var r = RuntimeBinary.Run("--root", Root, "nosuch");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.Stderr, Does.Contain("unknown command \\\"nosuch\\\""));
        Assert.That(r.Stdout, Is.Empty);
    }

    // checkpoint (CRIU) is the command least likely to get an implementation soon; when it does, pick another.
    [Test]
    public void NotYetImplementedCommandFailsCleanly()
    {
        var r = RuntimeBinary.Run("--root", Root, "checkpoint", "c1");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("not implemented yet"));
        Assert.That(r.Stderr.TrimEnd('\n'), Does.Not.Contain("\n"), "one line, no stack trace");
        Assert.That(r.Stdout, Is.Empty);
    }

    [Test]
    public void NotYetImplementedCommandWritesAJsonErrorLine()
    {
        string log = Path.Combine(_dir, "log.json");
        var r = RuntimeBinary.Run("--root", Root, "--log", log, "--log-format", "json", "checkpoint", "c1");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Is.EqualTo("checkpoint: not implemented yet\n"), "plain message on stderr when the log is a file");
        string[] lines = File.ReadAllLines(log);
        Assert.That(lines, Has.Length.EqualTo(1));
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.That(doc.RootElement.GetProperty("level").GetString(), Is.EqualTo("error"));
        Assert.That(doc.RootElement.GetProperty("msg").GetString(), Is.EqualTo("checkpoint: not implemented yet"));
        Assert.That(DateTimeOffset.Parse(doc.RootElement.GetProperty("time").GetString()!), Is.EqualTo(DateTimeOffset.Now).Within(TimeSpan.FromMinutes(1)));
        Assert.That(File.GetUnixFileMode(log), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void ExecFailureExits255LikeRunc()
    {
        var r = RuntimeBinary.Run("--root", Root, "exec", "c1", "true");
        Assert.That(r.ExitCode, Is.EqualTo(255), r.ToString());
        Assert.That(r.Stderr, Does.Contain("exec failed: "));
    }

    [Test]
    public void UnwritableLogStillReportsOnStderr()
    {
        string log = Path.Combine(_dir, "no-such-dir", "log.json");
        var r = RuntimeBinary.Run("--root", Root, "--log", log, "--log-format", "json", "checkpoint", "c1");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain($"cannot open log file {log}: ENOENT"));
    }

    [Test]
    public void DebugMarksTheCommandsFirstStage()
    {
        string log = Path.Combine(_dir, "log.txt");
        var r = RuntimeBinary.Run("--root", Root, "--debug", "--log", log, "checkpoint", "c1");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(File.ReadAllText(log), Does.Match(@"^time=""[0-9-]+T[0-9:]+\.[0-9]{6}(Z|[+-][0-9:]+)"" level=debug msg=""checkpoint: command line parsed"" stage=""checkpoint: command line parsed""\n"));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public void TopLevelHelp(string flag)
    {
        var r = RuntimeBinary.Run(flag);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.StartWith("NAME:\n   runtime - Open Container Initiative runtime").And.Contain("\nCOMMANDS:\n"));
    }

    [Test]
    public void CheckpointHelpProbe()
    {
        var r = RuntimeBinary.Run("checkpoint", "--help");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.Contain("runtime checkpoint - checkpoint a running container").And.Contain("--image-path value"));
        Assert.That(r.Stderr, Is.Empty);
    }

    [Test]
    public void ShortVersionFlag()
    {
        var r = RuntimeBinary.Run("-v");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Does.StartWith("runtime version "));
    }
}
