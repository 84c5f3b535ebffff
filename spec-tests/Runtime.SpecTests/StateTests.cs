using Runtime.Testing;

namespace Runtime.SpecTests;

using Process = System.Diagnostics.Process;

/// <summary>runtime.md "State" and the `state` operation: every field, and a status that tells the truth.</summary>
[TestFixture]
public class StateTests : SpecTest
{
    [Test]
    public void StateOfACreatedContainerHasEveryField()
    {
        var b = Bundle("sleep 30").Annotation("org.example.key", "value-1");
        var id = H.NewId();
        var before = DateTimeOffset.Now.AddSeconds(-2);
        H.CreateOk(b.Write(), id);
        var s = H.State(id);
        Assert.Multiple(() =>
        {
            Assert.That((string?)s["ociVersion"], Does.StartWith("1."));
            Assert.That((string?)s["id"], Is.EqualTo(id));
            Assert.That((int?)s["pid"], Is.GreaterThan(0));
            Assert.That((string?)s["status"], Is.EqualTo("created"));
            Assert.That((string?)s["bundle"], Is.EqualTo(b.Path));
            Assert.That((string?)s["rootfs"], Is.EqualTo(b.Rootfs));
            Assert.That(DateTimeOffset.Parse((string)s["created"]!), Is.InRange(before, DateTimeOffset.Now.AddSeconds(2)));
            Assert.That((string?)s["annotations"]?["org.example.key"], Is.EqualTo("value-1"));
        });
    }

    [Test]
    public void StatusFollowsTheLifecycle()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 0.5; echo done").Write(), id);
        Assert.That(H.Status(id), Is.EqualTo("created"));
        AssertOk(H.Start(id));
        Assert.That(H.Status(id), Is.AnyOf("running", "stopped"));
        H.WaitForOutput(id, "done");
        H.WaitForStatus(id, "stopped");
        var s = H.State(id);
        Assert.That((int?)s["pid"], Is.Zero, "a stopped container reports pid 0, like runc");
        Assert.That(Native.IsAlive(pid), Is.False);
    }

    [Test]
    public void ContainerKilledFromOutsideReadsAsStopped()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Start(id));
        Native.Kill(pid, Native.SIGKILL);
        H.WaitForStatus(id, "stopped");
    }

    [Test]
    public void StateOfAnUnknownContainerFails()
    {
        AssertFails(H.Runtime("state", H.NewId()), "container does not exist");
    }

    /// <summary>While prestart hooks run the container exists and is "creating"; `state` must answer
    /// (a hook asking for the state is common) instead of waiting for create to finish.</summary>
    [Test]
    public void StateIsCreatingWhileCreateHooksRun()
    {
        var id = H.NewId();
        var outFile = Path.Combine(H.Dir, "state-during-hook.json");
        var b = Bundle("true").ShellHook("createRuntime",
            $"'{RuntimeBinary.Path}' --root '{H.StateRoot}' state {id} > '{outFile}' 2>&1", timeout: 5);
        var r = H.Create(b.Write(), id);
        AssertOk(r);
        var text = File.Exists(outFile) ? File.ReadAllText(outFile) : "(no output)";
        Assert.That(text, Does.Contain("\"creating\""), "state run by a createRuntime hook:\n" + text);
    }

    /// <summary>A pid reused by another process after the container died must not make it "running",
    /// and `kill` must not hit the stranger.</summary>
    [Test]
    public void AReusedPidDoesNotReadAsRunning()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Start(id));
        Native.Kill(pid, Native.SIGKILL);
        // Wait until the dead init is reaped and its pid free again.
        ContainerHarness.WaitUntil(() => !Directory.Exists($"/proc/{pid}"), 15, () => $"pid {pid} to be reaped");
        Process? stranger = null;
        try
        {
            for (int attempt = 0; attempt < 50 && stranger == null; attempt++)
            {
                File.WriteAllText("/proc/sys/kernel/ns_last_pid", (pid - 1).ToString());
                var p = Process.Start("/bin/sleep", "60");
                if (p.Id == pid) stranger = p;
                else
                {
                    p.Kill();
                    p.WaitForExit();
                    p.Dispose();
                }
            }
            if (stranger == null)
                Assert.Inconclusive($"could not get pid {pid} reused (other processes took it)");
            Assert.That(H.Status(id), Is.EqualTo("stopped"), "a reused pid must not read as our container");
            AssertFails(H.Kill(id, "KILL"), "container not running");
            Thread.Sleep(100);
            Assert.That(stranger.HasExited, Is.False, "kill must not signal the process that reused the pid");
        }
        finally
        {
            if (stranger is { HasExited: false })
                stranger.Kill();
            stranger?.WaitForExit();
            stranger?.Dispose();
        }
    }
}
