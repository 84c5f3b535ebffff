using System.Text.Json;
using NUnit.Framework;
using Runtime.Logging;

namespace Runtime.Tests.Logging;

/// <summary>The logger's file handling and levels, in-process against a private temporary directory.</summary>
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class LogTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("runtime-log-").FullName;

    [TearDown]
    public void TearDown()
    {
        Log.Reset();
        Directory.Delete(_dir, recursive: true);
    }

    private static JsonElement[] Lines(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    [Test]
    public void JsonFileGetsOneObjectPerLineAndIsCreatedPrivate()
    {
        string path = Path.Combine(_dir, "log.json");
        Log.Configure(path, "json", debug: false);
        Log.Error("container does not exist");
        Log.Warn("careful");
        Log.Info("fyi");
        Log.Debug("hidden without --debug");
        var lines = Lines(path);
        Assert.That(lines.Select(l => l.GetProperty("level").GetString()), Is.EqualTo(new[] { "error", "warning", "info" }));
        Assert.That(lines[0].GetProperty("msg").GetString(), Is.EqualTo("container does not exist"));
        Assert.That(DateTimeOffset.Parse(lines[0].GetProperty("time").GetString()!), Is.EqualTo(DateTimeOffset.Now).Within(TimeSpan.FromMinutes(1)));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(Log.ToFile, Is.True);
    }

    [Test]
    public void AppendsToAnExistingLog()
    {
        string path = Path.Combine(_dir, "log.json");
        File.WriteAllText(path, "{\"level\":\"info\",\"msg\":\"from before\",\"time\":\"2024-01-01T00:00:00Z\"}\n");
        Log.Configure(path, "json", debug: false);
        Log.Error("second");
        Log.Reset();
        Log.Configure(path, "json", debug: false);
        Log.Error("third");
        Assert.That(Lines(path).Select(l => l.GetProperty("msg").GetString()), Is.EqualTo(new[] { "from before", "second", "third" }));
    }

    [Test]
    public void DebugLevelAndStageLines()
    {
        string path = Path.Combine(_dir, "log.txt");
        Log.Configure(path, "json", debug: true);
        Assert.That(Log.IsDebugEnabled, Is.True);
        Log.Stage("create: load config");
        Thread.Sleep(5);
        Log.Stage("create: write state");
        string[] lines = File.ReadAllLines(path);
        Assert.That(lines, Has.Length.EqualTo(2));
        using var first = System.Text.Json.JsonDocument.Parse(lines[0]);
        using var second = System.Text.Json.JsonDocument.Parse(lines[1]);
        Assert.That(first.RootElement.GetProperty("stage").GetString(), Is.EqualTo("create: load config"));
        Assert.That(first.RootElement.GetProperty("level").GetString(), Is.EqualTo("debug"));
        // Microseconds in the time, so a profile can tell stages apart (runc's plain lines keep whole seconds).
        var t0 = DateTimeOffset.Parse(first.RootElement.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var t1 = DateTimeOffset.Parse(second.RootElement.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(first.RootElement.GetProperty("time").GetString(), Does.Match(@"T\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$"));
        Assert.That((t1 - t0).TotalMilliseconds, Is.GreaterThanOrEqualTo(4.0));
    }

    [Test]
    public void StageLinesCostNothingWithoutDebug()
    {
        string path = Path.Combine(_dir, "log.txt");
        Log.Configure(path, "text", debug: false);
        Log.Stage("stage");
        Assert.That(File.ReadAllText(path), Is.Empty);
    }

    [Test]
    public void AStageFromTheInitKeepsItsOwnTime()
    {
        string path = Path.Combine(_dir, "log.txt");
        Log.Configure(path, "text", debug: true);
        long earlier = LocalTime.UnixNanos() - 3_000_000_000;
        Log.StageAt(earlier, "create init: mounts");
        string line = File.ReadAllText(path);
        Assert.That(line, Does.Contain("level=debug msg=\"create init: mounts\" stage=\"create init: mounts\""));
        Assert.That(line, Does.StartWith($"time=\"{LocalTime.FromUnixNanos(earlier).ToRfc3339()}\""));
    }

    [Test]
    public void UnwritableLogPathIsANamedError()
    {
        string path = Path.Combine(_dir, "missing-dir", "log.json");
        var e = Assert.Throws<RuntimeException>(() => Log.Configure(path, "json", debug: false))!;
        Assert.That(e.Message, Is.EqualTo($"cannot open log file {path}: ENOENT (No such file or directory)"));
        Assert.That(Log.ToFile, Is.False, "still logging to stderr so the error can be seen");
    }

    [Test]
    public void UnknownFormatIsRefused()
    {
        var e = Assert.Throws<RuntimeException>(() => Log.Configure(null, "xml", debug: false))!;
        Assert.That(e.Message, Is.EqualTo("invalid log-format: xml"));
    }
}
