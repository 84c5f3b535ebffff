using System.Globalization;
using System.Text.Json.Nodes;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>
/// config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": when each kind runs, in which
/// namespaces, with what on stdin, env, args, timeouts, and what a failure does. Hooks record what
/// they saw into the private rootfs's /hooks directory (host hooks write it by its host path).
/// </summary>
[TestFixture]
public class HooksTests : SpecTest
{
    private static readonly string[] HostKinds = { "prestart", "createRuntime", "poststart", "poststop" };

    /// <summary>A shell script that records the state it got on stdin, its order, mount namespace,
    /// whether the container's init had pivoted yet and whether the init had its own network namespace.</summary>
    private static string Record(string dir, string name) =>
        $"s=$(cat | tr -d '\\n'); printf '%s' \"$s\" > {dir}/{name}.json; echo {name} >> {dir}/order; " +
        $"readlink /proc/self/ns/mnt > {dir}/{name}.mnt; " +
        $"pid=$(printf '%s' \"$s\" | sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p'); " +
        $"if [ -e /proc/$pid/root/etc/busybox-version ]; then echo after > {dir}/{name}.pivot; else echo before > {dir}/{name}.pivot; fi; " +
        $"if [ -n \"$pid\" ] && [ \"$(readlink /proc/$pid/ns/net)\" != \"$(readlink /proc/self/ns/net)\" ]; then echo yes > {dir}/{name}.netns; fi";

    private sealed record Hooked(BundleBuilder Bundle, string Dir)
    {
        public bool Ran(string name) => File.Exists(Path.Combine(Dir, name + ".json"));
        public JsonObject State(string name) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, name + ".json")))!;
        public string Text(string name, string what) => File.ReadAllText(Path.Combine(Dir, $"{name}.{what}")).Trim();
        public string[] Order => File.Exists(Path.Combine(Dir, "order")) ? File.ReadAllLines(Path.Combine(Dir, "order")) : Array.Empty<string>();
    }

    /// <summary>A bundle with a recording hook of every kind; the program appends "program" to the order.</summary>
    private Hooked AllHooks(string program = "echo program >> /hooks/order; sleep 30")
    {
        var b = Bundle(program).PrivateRootfs().Annotation("org.example.hooks", "yes");
        var dir = Path.Combine(b.Rootfs, "hooks");
        Directory.CreateDirectory(dir);
        b.ShellHook("prestart", Record(dir, "prestart"))
            .ShellHook("createRuntime", Record(dir, "createRuntime"))
            .ShellHook("createContainer", Record(dir, "createContainer"))
            .Hook("startContainer", "/bin/sh", new[] { "sh", "-c", Record("/hooks", "startContainer") })
            .ShellHook("poststart", "sleep 0.3; " + Record(dir, "poststart"))
            .ShellHook("poststop", Record(dir, "poststop"));
        return new Hooked(b, dir);
    }

    [Test]
    public void EveryKindRunsAtItsPointInOrder()
    {
        var h = AllHooks();
        var id = H.NewId();
        H.CreateOk(h.Bundle.Write(), id);
        Assert.That(h.Order, Is.EqualTo(new[] { "prestart", "createRuntime", "createContainer" }), "create runs these, nothing later");
        AssertOk(H.Start(id));
        ContainerHarness.WaitUntil(() => h.Order.Length >= 6, 5, () => "poststart: " + string.Join(",", h.Order));
        Assert.That(h.Order, Is.EqualTo(new[] { "prestart", "createRuntime", "createContainer", "startContainer", "program", "poststart" }));
        AssertOk(H.Delete(id, force: true));
        Assert.That(h.Order.Last(), Is.EqualTo("poststop"));
    }

    [Test]
    public void EachHookGetsTheStateOnStdin()
    {
        var h = AllHooks();
        var id = H.NewId();
        int pid = H.CreateOk(h.Bundle.Write(), id);
        AssertOk(H.Start(id));
        ContainerHarness.WaitUntil(() => h.Ran("poststart"), 5, () => "poststart");
        AssertOk(H.Delete(id, force: true));
        var expectedStatus = new Dictionary<string, string>
        {
            // "created", as runtime-tools' hooks_stdin requires and crun does (runc says "creating").
            ["prestart"] = "created", ["createRuntime"] = "created", ["createContainer"] = "created",
            ["startContainer"] = "created", ["poststart"] = "running", ["poststop"] = "stopped",
        };
        Assert.Multiple(() =>
        {
            foreach (var (kind, status) in expectedStatus)
            {
                var s = h.State(kind);
                Assert.That((string?)s["id"], Is.EqualTo(id), kind);
                Assert.That((string?)s["status"], Is.EqualTo(status), kind);
                Assert.That((string?)s["bundle"], Is.EqualTo(h.Bundle.Path), kind);
                Assert.That((string?)s["ociVersion"], Does.StartWith("1."), kind);
                Assert.That((string?)s["annotations"]?["org.example.hooks"], Is.EqualTo("yes"), kind);
                if (kind is "prestart" or "createRuntime" or "createContainer" or "poststart")
                    Assert.That((int?)s["pid"], Is.EqualTo(pid), kind + ": the host pid of the container's init");
            }
        });
    }

    [Test]
    public void HooksRunInTheirNamespacesAndBeforePivotRoot()
    {
        var h = AllHooks();
        var id = H.NewId();
        int pid = H.CreateOk(h.Bundle.Write(), id);
        var containerMnt = Native.Namespace(pid, "mnt");
        var ourMnt = Native.SelfNamespace("mnt");
        AssertOk(H.Start(id));
        ContainerHarness.WaitUntil(() => h.Ran("poststart"), 5, () => "poststart");
        AssertOk(H.Delete(id, force: true));
        Assert.Multiple(() =>
        {
            foreach (var kind in HostKinds)
                Assert.That(h.Text(kind, "mnt"), Is.EqualTo(ourMnt), kind + " runs in the runtime's mount namespace");
            Assert.That(h.Text("createContainer", "mnt"), Is.EqualTo(containerMnt), "createContainer runs in the container's mount namespace");
            Assert.That(h.Text("startContainer", "mnt"), Is.EqualTo(containerMnt), "startContainer runs in the container");
            foreach (var kind in new[] { "prestart", "createRuntime" })
            {
                Assert.That(h.Text(kind, "pivot"), Is.EqualTo("before"), kind + " runs before pivot_root");
                Assert.That(File.Exists(Path.Combine(h.Dir, kind + ".netns")), kind + " runs after the container's namespaces exist");
            }
            Assert.That(h.Text("createContainer", "pivot"), Is.EqualTo("before"), "createContainer runs before pivot_root");
        });
    }

    [Test]
    public void StartContainerResolvesItsPathInTheContainer()
    {
        var b = Bundle("test -e /hooks/ran && echo hook-ran-first").PrivateRootfs();
        Directory.CreateDirectory(Path.Combine(b.Rootfs, "hooks"));
        var script = Path.Combine(b.Rootfs, "usr", "local", "bin", "start-hook");
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        File.WriteAllText(script, "#!/bin/sh\ntouch /hooks/ran\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1ed);
        Assert.That(File.Exists("/usr/local/bin/start-hook"), Is.False, "the host must not have the hook");
        b.Hook("startContainer", "/usr/local/bin/start-hook");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        Assert.That(File.Exists(Path.Combine(b.Rootfs, "hooks", "ran")), Is.False, "startContainer does not run at create");
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "hook-ran-first");
    }

    [Test]
    public void EnvAndArgsAreExactlyTheHooks()
    {
        var b = Bundle().PrivateRootfs();
        var dir = Path.Combine(b.Rootfs, "hooks");
        Directory.CreateDirectory(dir);
        // cp copies its own environ: exactly the hook's env, nothing of the runtime's.
        b.Hook("createRuntime", "/bin/cp", new[] { "cp", "/proc/self/environ", Path.Combine(dir, "environ") }, new[] { "A=1", "B=two words" });
        b.Hook("createRuntime", "/bin/sh", new[] { "custom-argv0", "-c", $"tr '\\0' '|' < /proc/$$/cmdline > {dir}/args", "first", "second arg" });
        H.CreateOk(b.Write(), H.NewId());
        Assert.That(File.ReadAllText(Path.Combine(dir, "environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "A=1", "B=two words" }));
        var args = File.ReadAllText(Path.Combine(dir, "args"));
        Assert.That(args, Does.StartWith("custom-argv0|-c|"), "args[0] is argv[0], not the path");
        Assert.That(args, Does.EndWith("|first|second arg|"));
    }

    [Test]
    public void PoststartRunsAfterStartNotAtCreate()
    {
        var h = AllHooks();
        var id = H.NewId();
        H.CreateOk(h.Bundle.Write(), id);
        Assert.That(h.Ran("poststart"), Is.False);
        AssertOk(H.Start(id));
        Assert.That(h.Ran("poststart"), "start returns after its poststart hooks");
        Assert.That(h.Ran("poststop"), Is.False, "poststop waits for delete");
    }

    [Test]
    public void AFailingPoststartIsReportedAndTheContainerKeepsRunning()
    {
        var b = Bundle("sleep 30").PrivateRootfs();
        var marker = Path.Combine(b.Rootfs, "second-ran");
        b.ShellHook("poststart", "echo poststart-broke >&2; exit 3").ShellHook("poststart", $"touch {marker}");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        var r = H.Start(id);
        AssertOk(r);
        Assert.That(r.Stderr, Does.Contain("hooks.poststart[0]"), "the failure is reported");
        Assert.That(File.Exists(marker), "the remaining poststart hooks run");
        Assert.That(H.Status(id), Is.EqualTo("running"));
    }

    [Test]
    public void PoststopHooksAllRunOnDeleteEvenWhenOneFails()
    {
        var b = Bundle("true").PrivateRootfs();
        var first = Path.Combine(b.Rootfs, "first-ran");
        var marker = Path.Combine(b.Rootfs, "second-ran");
        b.ShellHook("poststop", $"touch {first}; exit 1").ShellHook("poststop", $"touch {marker}");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        AssertOk(H.Start(id));
        H.WaitForStatus(id, "stopped");
        Assert.That(File.Exists(first), Is.False, "poststop does not run before delete");
        var r = H.Delete(id);
        AssertOk(r);
        Assert.That(r.Stderr, Does.Contain("hooks.poststop[0]"));
        Assert.That(File.Exists(first) && File.Exists(marker), "every poststop hook runs");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void PoststopRunsWhenARunningContainerIsForceDeleted()
    {
        var b = Bundle("sleep 30").PrivateRootfs();
        var marker = Path.Combine(b.Rootfs, "poststop-ran");
        b.ShellHook("poststop", $"cat > {marker}");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        AssertOk(H.Start(id));
        AssertOk(H.Delete(id, force: true));
        Assert.That((string?)Json(File.ReadAllText(marker))["status"], Is.EqualTo("stopped"));
    }

    [TestCase("prestart")]
    [TestCase("createRuntime")]
    [TestCase("createContainer")] // runtime.md: stop the container and continue at delete (runc skips poststop here)
    public void AFailingCreateHookFailsCreateRunsPoststopAndLeavesNothing(string kind)
    {
        var b = Bundle("true").PrivateRootfs();
        var poststop = Path.Combine(b.Rootfs, "poststop-ran");
        b.ShellHook(kind, "echo hook-said-no >&2; exit 2").ShellHook("poststop", $"touch {poststop}");
        var id = H.NewId();
        var r = H.Create(b.Write(), id);
        AssertFails(r, $"hooks.{kind}[0]", "exit status 2", "hook-said-no");
        H.AssertNoLeftovers(id);
        Assert.That(File.Exists(poststop), "runtime.md: a failed create hook stops the container and continues at delete (poststop)");
    }

    [Test]
    public void AFailingStartContainerHookStopsTheContainerBeforeTheProgram()
    {
        var b = Bundle("touch /program-ran").PrivateRootfs();
        b.Hook("startContainer", "/bin/sh", new[] { "sh", "-c", "exit 4" });
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        H.Start(id);
        H.WaitForStatus(id, "stopped");
        Assert.That(File.Exists(Path.Combine(b.Rootfs, "program-ran")), Is.False, "the program must not run after a failed startContainer hook");
    }

    [Test]
    public void AMissingHookIsAnErrorNamingIt()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Hook("createRuntime", "/no/such/hook").Write(), id), "hooks.createRuntime[0]", "/no/such/hook", "ENOENT");
        H.AssertNoLeftovers(id);
    }

    /// <summary>A sleep whose command line is unique to this test, to prove it was killed.</summary>
    private string UniqueSleep() => "999." + int.Parse(H.Token[..6], NumberStyles.HexNumber).ToString(CultureInfo.InvariantCulture);

    private bool SleepAlive(string arg) =>
        Directory.EnumerateDirectories("/proc").Any(d => int.TryParse(Path.GetFileName(d), out int pid) && Native.IsAlive(pid) &&
            File.Exists($"{d}/cmdline") && TryRead($"{d}/cmdline").Contains(arg));

    private static string TryRead(string f)
    {
        try { return File.ReadAllText(f); } catch (IOException) { return ""; }
    }

    [Test]
    public void AHookPastItsTimeoutIsKilledAndCreateFails()
    {
        var arg = UniqueSleep();
        var id = H.NewId();
        var started = DateTime.UtcNow;
        var r = H.Create(Bundle().Hook("prestart", "/bin/sleep", new[] { "sleep", arg }, timeout: 1).Write(), id);
        var took = DateTime.UtcNow - started;
        AssertFails(r, "hooks.prestart[0]", "timed out");
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(6)));
        Assert.That(SleepAlive(arg), Is.False, "the hook is killed when its timeout expires");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AHookThatDoesNotReadItsStdinDoesNotKillTheRuntime()
    {
        // A state bigger than a pipe buffer: the hook exits without reading it (EPIPE, never SIGPIPE).
        var b = Bundle().Annotation("org.example.big", new string('x', 300_000)).Hook("createRuntime", "/bin/true");
        var id = H.NewId();
        var r = H.Create(b.Write(), id);
        AssertOk(r);
        Assert.That(H.Status(id), Is.EqualTo("created"));
    }

    [Test]
    public void TheTimeoutHoldsWhenTheHookNeverReadsItsStdin()
    {
        var arg = UniqueSleep();
        var b = Bundle().Annotation("org.example.big", new string('x', 300_000))
            .Hook("createRuntime", "/bin/sleep", new[] { "sleep", arg }, timeout: 1);
        var id = H.NewId();
        RuntimeResult r;
        try
        {
            r = H.Create(new RuntimeCall { Timeout = TimeSpan.FromSeconds(10) }, b.Write(), id);
        }
        catch (TimeoutException e)
        {
            Assert.Fail("create hung on a hook that does not read its stdin: " + e.Message);
            return;
        }
        AssertFails(r, "hooks.createRuntime[0]", "timed out");
        Assert.That(SleepAlive(arg), Is.False);
        H.AssertNoLeftovers(id);
    }
}
