using System.Text.Json.Nodes;
using Runtime.Testing;

// Fixtures run two at a time (the machine has 2 cores); tests inside a fixture run in order.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Runtime.SpecTests;

/// <summary>
/// Base of every spec fixture: each test gets its own <see cref="ContainerHarness"/> (state root,
/// IDs, directory), torn down even when the test fails; teardown fails the test if the runtime
/// left anything behind.
/// </summary>
public abstract class SpecTest
{
    protected ContainerHarness H = null!;

    [SetUp]
    public void CreateHarness()
    {
        if (!File.Exists(RuntimeBinary.Path))
            Assert.Fail($"{RuntimeBinary.Path} not found: run `make build`");
        if (!File.Exists(Path.Combine(BundleBuilder.SharedRootfs, "bin", "busybox")))
            Assert.Fail($"{BundleBuilder.SharedRootfs} not found: run `make bundles`");
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsRoot())
            Assert.Ignore("spec tests run as root");
        H = new ContainerHarness(TestContext.CurrentContext.Test.Name);
    }

    [TearDown]
    public void DisposeHarness() => H.Dispose();

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:") && l.Split('\t')[1] == "0");

    /// <summary>A bundle that runs <paramref name="script"/> with sh.</summary>
    protected BundleBuilder Bundle(string script = "true") => H.NewBundle().Shell(script);

    /// <summary>Runs the bundle in the foreground and returns the container's stdout.</summary>
    protected string Inside(BundleBuilder bundle) => H.RunOk(bundle);

    /// <summary>Parses a "Key:\tvalue" line of a /proc/PID/status text.</summary>
    protected static string StatusField(string status, string key) =>
        status.Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0] == key).Select(p => p[1].Trim()).FirstOrDefault()
        ?? throw new AssertionException($"no {key} in:\n{status}");

    protected static string HostStatusField(int pid, string key) => StatusField(File.ReadAllText($"/proc/{pid}/status"), key);

    /// <summary>Asserts a failed invocation: exit 1 and every fragment in stderr.</summary>
    protected static void AssertFails(RuntimeResult r, params string[] fragments)
    {
        Assert.That(r.ExitCode, Is.EqualTo(1), "expected exit status 1\n" + r);
        foreach (var f in fragments)
            // Without --log, errors reach stderr as logrus text (runc's format): quotes come escaped.
            Assert.That(r.Stderr.Replace("\\\"", "\""), Does.Contain(f), $"stderr should name \"{f}\"\n{r}");
    }

    protected static void AssertOk(RuntimeResult r) => Assert.That(r.ExitCode, Is.Zero, r.ToString());

    protected static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;
}
