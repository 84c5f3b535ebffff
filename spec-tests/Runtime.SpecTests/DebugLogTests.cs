using System.Globalization;
using System.Text.Json;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>`--debug` stage lines (the profile in docs/benchmarks.md reads them): the runtime's and the
/// container init's stages land in one log, each with microsecond times; nothing without --debug.</summary>
[TestFixture]
public class DebugLogTests : SpecTest
{
    private static List<(DateTimeOffset Time, string Stage)> Stages(string log) =>
        File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("stage", out _))
            .Select(e => (DateTimeOffset.Parse(e.GetProperty("time").GetString()!, CultureInfo.InvariantCulture), e.GetProperty("stage").GetString()!))
            .ToList();

    [Test]
    public void RunLogsTheRuntimesAndTheInitsStagesInOrder()
    {
        var log = Path.Combine(H.NewDir("log"), "debug.json");
        var bundle = Bundle("true").Write();
        AssertOk(H.Runtime("--debug", "--log", log, "--log-format", "json", "run", "--bundle", bundle, H.NewId()));
        var stages = Stages(log);
        var names = stages.Select(s => s.Stage).ToList();
        string[] expected = ["run: command line parsed", "create: load config", "create init: read config", "create init: mounts",
            "create init: pivot_root", "create: write state", "start: release init (exec fifo) until it execs", "run: container runs"];
        foreach (var name in expected)
            Assert.That(names, Does.Contain(name), string.Join('\n', names));
        // The init's lines carry its own clock readings: in the order things happened, across both processes.
        var at = expected.Select(n => stages.First(s => s.Stage == n).Time).ToList();
        Assert.That(at, Is.Ordered, string.Join('\n', stages));
        Assert.That(File.ReadAllLines(log), Has.All.Match("\"time\":\"[0-9-]+T[0-9:]+\\.[0-9]{6}"));
    }

    [Test]
    public void ExecLogsItsInitsStages()
    {
        var id = H.NewId();
        H.CreateOk(Bundle("sleep 100").Write(), id);
        H.StartOk(id);
        var log = Path.Combine(H.NewDir("log"), "debug.json");
        AssertOk(H.Runtime("--debug", "--log", log, "--log-format", "json", "exec", id, "/bin/true"));
        Assert.That(Stages(log).Select(s => s.Stage), Does.Contain("exec init: process attributes").And.Contain("exec: join cgroup"));
    }

    [Test]
    public void WithoutDebugThereAreNoStageLines()
    {
        var log = Path.Combine(H.NewDir("log"), "plain.json");
        AssertOk(H.Runtime("--log", log, "--log-format", "json", "run", "--bundle", Bundle("true").Write(), H.NewId()));
        Assert.That(File.Exists(log) ? File.ReadAllText(log) : "", Is.Empty);
    }
}
