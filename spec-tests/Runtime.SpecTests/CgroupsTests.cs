using System.Text.Json.Nodes;
using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>linux.resources and the cgroup commands on this (hybrid) host, through real containers:
/// limits read from outside and from inside, enforcement where cheap, pause/resume, update, ps,
/// events, kill --all, and no cgroup left in any hierarchy. tests/cgroup2 does the same on pure v2.</summary>
public class CgroupsTests : SpecTest
{
    private string _cgroup = "";

    [SetUp]
    public void UniqueCgroup() => _cgroup = "/runtime-spectest-" + Guid.NewGuid().ToString("N")[..12];

    [TearDown]
    public void NoCgroupLeft()
    {
        // The container's cgroup must be gone; the parent its cgroupsPath implied stays (as with runc): ours to remove.
        var hierarchies = Directory.GetDirectories("/sys/fs/cgroup");
        var left = hierarchies.Select(h => h + _cgroup + "/c").Where(Directory.Exists).ToList();
        foreach (var dir in left.Concat(hierarchies.Select(h => h + _cgroup)).Where(Directory.Exists))
            try { Directory.Delete(dir); } catch (IOException) { }
        Assert.That(left, Is.Empty, "container cgroups left behind");
    }

    private BundleBuilder Limited(string script, string resources) =>
        Bundle(script).LinuxField("cgroupsPath", $"\"{_cgroup}/c\"").LinuxField("resources", resources);

    private string Host(string controller, string file) => File.ReadAllText($"/sys/fs/cgroup/{controller}{_cgroup}/c/{file}").Trim();

    [Test]
    public void LimitsAreWrittenAndSeenInside()
    {
        var b = Limited("cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; sleep 300",
            """{"memory": {"limit": 67108864}, "pids": {"limit": 32}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}}""");
        var id = H.NewId();
        AssertOk(H.Create(b.Write(), id));
        Assert.Multiple(() =>
        {
            Assert.That(Host("memory", "memory.limit_in_bytes"), Is.EqualTo("67108864"));
            Assert.That(Host("pids", "pids.max"), Is.EqualTo("32"));
            Assert.That(Host("cpu", "cpu.shares"), Is.EqualTo("512"));
            Assert.That(Host("cpu", "cpu.cfs_quota_us"), Is.EqualTo("50000"));
        });
        var inside = H.Runtime("exec", id, "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max");
        Assert.That(inside.Stdout, Does.Contain("67108864").And.Contain("32"), inside.ToString());
        AssertOk(H.Runtime("delete", "--force", id));
    }

    [Test]
    public void AMemoryHogIsOomKilled()
    {
        var output = Inside(Limited("head -c 200000000 /dev/zero | tail -c 200000000 >/dev/null; echo status=$?",
            """{"memory": {"limit": 33554432, "swap": 33554432}}"""));
        Assert.That(output, Does.Contain("status=137"));
    }

    [Test]
    public void AForkStormStopsAtPidsMax()
    {
        var output = Inside(Limited("(for i in $(seq 40); do sleep 5 & done; wait) 2>/dev/null; cat /sys/fs/cgroup/pids/pids.events",
            """{"pids": {"limit": 10}}"""));
        Assert.That(output, Does.Match(@"max [1-9]"));
    }

    [Test]
    public void DeviceRulesDenyWhatTheyDoNotAllow()
    {
        // runtime-tools linux_cgroups_devices: deny all, then the runtime's defaults; an unlisted node can be made but not opened.
        var output = Inside(Limited("mknod /dev/loopx b 7 0 && head -c1 /dev/loopx 2>&1; echo rc=$?; head -c1 /dev/zero | wc -c",
            """{"devices": [{"allow": false, "access": "rwm"}]}""").Edit(c =>
            {
                // mknod needs CAP_MKNOD (not in runc's default set): then only the device cgroup can refuse the open.
                foreach (var set in new[] { "bounding", "effective", "permitted" })
                    c["process"]!["capabilities"]![set]!.AsArray().Add("CAP_MKNOD");
            }));
        Assert.That(output, Does.Contain("Operation not permitted"));
        Assert.That(output, Does.Contain("rc=1"));
    }

    [Test]
    public void PauseResumeUpdatePsEventsAndKillAll()
    {
        var b = Limited("i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done", """{"memory": {"limit": 67108864}}""");
        var id = H.NewId();
        AssertOk(H.Create(b.Write(), id));
        AssertOk(H.Start(id));
        AssertOk(H.Runtime("pause", id));
        Assert.That((string?)H.State(id)["status"], Is.EqualTo("paused"));
        Assert.That(Host("freezer", "freezer.state"), Is.EqualTo("FROZEN"));
        var refused = H.Runtime("exec", id, "true");
        Assert.That(refused.ExitCode, Is.EqualTo(255), refused.ToString()); // runc's exit code for exec failures
        Assert.That(refused.Stderr, Does.Contain("paused"));
        AssertOk(H.Runtime("resume", id));
        Assert.That((string?)H.State(id)["status"], Is.EqualTo("running"));

        AssertOk(H.Runtime("update", "--memory", "128m", id));
        Assert.That(Host("memory", "memory.limit_in_bytes"), Is.EqualTo("134217728"));
        AssertOk(H.Runtime(new RuntimeCall { Stdin = """{"pids": {"limit": 64}}""" }, "update", "--resources", "-", id));
        Assert.That(Host("pids", "pids.max"), Is.EqualTo("64"));

        var pid = (int)H.State(id)["pid"]!;
        var ps = H.Runtime("ps", "--format", "json", id);
        Assert.That(JsonNode.Parse(ps.Stdout)!.AsArray().Select(n => (int)n!), Does.Contain(pid), ps.ToString());
        var events = H.Runtime("events", "--stats", id);
        Assert.That((string?)JsonNode.Parse(events.Stdout)!["type"], Is.EqualTo("stats"), events.ToString());

        AssertOk(H.Runtime("exec", "-d", id, "sleep", "300"));
        AssertOk(H.Runtime("kill", "--all", id, "KILL"));
        for (int i = 0; i < 100 && (string?)H.State(id)["status"] != "stopped"; i++) Thread.Sleep(50);
        AssertOk(H.Runtime("delete", id));
        Assert.That(Directory.GetDirectories("/sys/fs/cgroup").Select(h => h + _cgroup + "/c").Where(Directory.Exists), Is.Empty);
    }
}
