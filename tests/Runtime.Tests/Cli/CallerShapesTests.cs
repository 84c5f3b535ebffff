using NUnit.Framework;
using Runtime.Cli;
using static Runtime.Tests.Cli.CliAssert;

namespace Runtime.Tests.Cli;

/// <summary>
/// Every command line the callers in DESIGN.md §4 send (recorded from containerd 1.6's runc shim, podman 4.3 +
/// conmon, CRI-O), written out literally, parses to the right command and options.
/// </summary>
public class CallerShapesTests
{
    // containerd: every call is prefixed with the namespace's root and the bundle's log.
    private static string[] Containerd(params string[] rest) =>
        ["--root", "/run/containerd/runc/k8s.io", "--log", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/log.json", "--log-format", "json", .. rest];

    [Test]
    public void ContainerdGlobalPrefix()
    {
        var g = Globals(Containerd("start", "c1"));
        Assert.That(g.Root, Is.EqualTo("/run/containerd/runc/k8s.io"));
        Assert.That(g.Log, Is.EqualTo("/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/log.json"));
        Assert.That(g.LogFormat, Is.EqualTo("json"));
        Assert.That(g.Debug, Is.False);
        Assert.That(g.SystemdCgroup, Is.False);
        Assert.That(g.Rootless, Is.EqualTo("auto"));
        Assert.That(g.Criu, Is.EqualTo("criu"));
    }

    [Test]
    public void ContainerdCreate()
    {
        var o = Invokes<CreateOptions>("create", Containerd("create", "--bundle", "/b/c1", "--pid-file", "/b/c1/init.pid", "c1"));
        Assert.That(o, Is.EqualTo(new CreateOptions("c1", "/b/c1", null, "/b/c1/init.pid", false, false, 0)));
    }

    [Test]
    public void ContainerdCreateWithConsoleSocket()
    {
        var o = Invokes<CreateOptions>("create",
            Containerd("create", "--bundle", "/b/c1", "--pid-file", "/b/c1/init.pid", "--console-socket", "/tmp/pty123/pty.sock", "c1"));
        Assert.That(o, Is.EqualTo(new CreateOptions("c1", "/b/c1", "/tmp/pty123/pty.sock", "/b/c1/init.pid", false, false, 0)));
    }

    [Test]
    public void ContainerdStartDeletePauseResume()
    {
        Assert.That(Invokes<StartOptions>("start", Containerd("start", "c1")), Is.EqualTo(new StartOptions("c1")));
        Assert.That(Invokes<DeleteOptions>("delete", Containerd("delete", "c1")), Is.EqualTo(new DeleteOptions("c1", false)));
        Assert.That(Invokes<DeleteOptions>("delete", Containerd("delete", "--force", "c1")), Is.EqualTo(new DeleteOptions("c1", true)));
        Assert.That(Invokes<PauseOptions>("pause", Containerd("pause", "c1")), Is.EqualTo(new PauseOptions("c1")));
        Assert.That(Invokes<ResumeOptions>("resume", Containerd("resume", "c1")), Is.EqualTo(new ResumeOptions("c1")));
    }

    [Test]
    public void ContainerdExec()
    {
        var o = Invokes<ExecOptions>("exec",
            Containerd("exec", "--process", "/tmp/runc-process1234", "--detach", "--pid-file", "/b/c1/e1.pid", "c1"));
        Assert.That(o.Id, Is.EqualTo("c1"));
        Assert.That(o.Process, Is.EqualTo("/tmp/runc-process1234"));
        Assert.That(o.Detach, Is.True);
        Assert.That(o.PidFile, Is.EqualTo("/b/c1/e1.pid"));
        Assert.That(o.ConsoleSocket, Is.Null);
        Assert.That(o.Args, Is.Empty);
        Assert.That(o.Tty, Is.False);
        Assert.That(o.NoNewPrivs, Is.Null);
    }

    [Test]
    public void ContainerdExecWithConsoleSocket()
    {
        var o = Invokes<ExecOptions>("exec",
            Containerd("exec", "--process", "/tmp/runc-process99", "--console-socket", "/tmp/pty9/pty.sock", "--detach", "--pid-file", "/b/c1/e9.pid", "c1"));
        Assert.That(o.ConsoleSocket, Is.EqualTo("/tmp/pty9/pty.sock"));
        Assert.That((o.Id, o.Process, o.Detach, o.PidFile), Is.EqualTo(("c1", "/tmp/runc-process99", true, "/b/c1/e9.pid")));
    }

    [Test]
    public void ContainerdPsKillUpdate()
    {
        Assert.That(Invokes<PsOptions>("ps", Containerd("ps", "--format", "json", "c1")) is { Id: "c1", Format: "json", PsArgs.Length: 0 });
        Assert.That(Invokes<KillOptions>("kill", Containerd("kill", "c1", "15")), Is.EqualTo(new KillOptions("c1", 15, false)));
        Assert.That(Invokes<KillOptions>("kill", Containerd("kill", "--all", "c1", "9")), Is.EqualTo(new KillOptions("c1", 9, true)));
        var u = Invokes<UpdateOptions>("update", Containerd("update", "--resources=-", "c1"));
        Assert.That(u.Id, Is.EqualTo("c1"));
        Assert.That(u.Resources, Is.EqualTo("-"));
        Assert.That(u.Memory, Is.Null);
        Assert.That(u.PidsLimit, Is.Null);
    }

    [Test]
    public void FeaturesWithoutGlobalFlags()
    {
        Assert.That(Invokes<FeaturesOptions>("features", "features"), Is.EqualTo(new FeaturesOptions()));
        Assert.That(Globals("features"), Is.EqualTo(GlobalOptions.Defaults));
    }

    [Test]
    public void Version()
    {
        Assert.That(RuntimeCli.Parse(["--version"]).Outcome, Is.EqualTo(CliOutcome.Version));
        Assert.That(RuntimeCli.Parse(["-v"]).Outcome, Is.EqualTo(CliOutcome.Version));
    }

    [Test]
    public void ConmonCreate()
    {
        string[] args = ["--log-format=json", "--log", "/var/lib/containers/storage/overlay-containers/abc/userdata/oci-log",
            "create", "--bundle", "/var/lib/containers/storage/overlay-containers/abc/userdata",
            "--pid-file", "/run/containers/storage/overlay-containers/abc/userdata/pidfile", "abc"];
        var p = RuntimeCli.Parse(args);
        Assert.That(p.Globals!.LogFormat, Is.EqualTo("json"));
        Assert.That(p.Globals.Log, Is.EqualTo("/var/lib/containers/storage/overlay-containers/abc/userdata/oci-log"));
        Assert.That(p.Globals.Root, Is.EqualTo("/run/runtime"));
        Assert.That(Invokes<CreateOptions>("create", args), Is.EqualTo(new CreateOptions("abc",
            "/var/lib/containers/storage/overlay-containers/abc/userdata", null,
            "/run/containers/storage/overlay-containers/abc/userdata/pidfile", false, false, 0)));
    }

    [Test]
    public void ConmonCreateWithTerminal()
    {
        var o = Invokes<CreateOptions>("create", "--log-format=json", "--log", "/u/oci-log", "create", "--bundle", "/u", "--pid-file", "/u/pidfile",
            "--console-socket", "/tmp/conmon-term.X7Q2", "abc");
        Assert.That(o.ConsoleSocket, Is.EqualTo("/tmp/conmon-term.X7Q2"));
    }

    [Test]
    public void ConmonLifecycle()
    {
        string[] g = ["--log-format=json", "--log", "/u/oci-log"];
        Assert.That(Invokes<StartOptions>("start", [.. g, "start", "abc"]), Is.EqualTo(new StartOptions("abc")));
        Assert.That(Invokes<KillOptions>("kill", [.. g, "kill", "abc", "15"]), Is.EqualTo(new KillOptions("abc", 15, false)));
        Assert.That(Invokes<KillOptions>("kill", [.. g, "kill", "abc", "9"]), Is.EqualTo(new KillOptions("abc", 9, false)));
        Assert.That(Invokes<DeleteOptions>("delete", [.. g, "delete", "--force", "abc"]), Is.EqualTo(new DeleteOptions("abc", true)));
        Assert.That(Invokes<PauseOptions>("pause", [.. g, "pause", "abc"]), Is.EqualTo(new PauseOptions("abc")));
        Assert.That(Invokes<ResumeOptions>("resume", [.. g, "resume", "abc"]), Is.EqualTo(new ResumeOptions("abc")));
    }

    [Test]
    public void ConmonExecDetached()
    {
        var o = Invokes<ExecOptions>("exec", "--log-format=json", "--log", "/u/oci-log",
            "exec", "--pid-file", "/u/exec_pid", "--process", "/u/exec-process-1", "--detach", "abc");
        Assert.That((o.Id, o.PidFile, o.Process, o.Detach, o.Tty, o.ConsoleSocket), Is.EqualTo(("abc", "/u/exec_pid", "/u/exec-process-1", true, false, (string?)null)));
    }

    [Test]
    public void ConmonExecWithTerminal()
    {
        var o = Invokes<ExecOptions>("exec", "--log-format=json", "--log", "/u/oci-log",
            "exec", "--pid-file", "/u/exec_pid", "--process", "/u/exec-process-1", "--detach", "--tty", "--console-socket", "/tmp/conmon-term.ABC", "abc");
        Assert.That((o.Tty, o.ConsoleSocket, o.Detach, o.Id), Is.EqualTo((true, "/tmp/conmon-term.ABC", true, "abc")));
    }

    [Test]
    public void CriOUpdateFromStdin()
    {
        var p = RuntimeCli.Parse(["--root", "/run/runc", "update", "--resources", "-", "abc"]);
        Assert.That(p.Globals!.Root, Is.EqualTo("/run/runc"));
        var u = Invokes<UpdateOptions>("update", "--root", "/run/runc", "update", "--resources", "-", "abc");
        Assert.That((u.Id, u.Resources), Is.EqualTo(("abc", "-")));
    }

    [Test]
    public void CriOKillAll()
    {
        Assert.That(Invokes<KillOptions>("kill", "--root", "/run/runc", "kill", "-a", "abc", "9"), Is.EqualTo(new KillOptions("abc", 9, true)));
        Assert.That(Invokes<KillOptions>("kill", "--root", "/run/runc", "kill", "-a", "abc", "SIGKILL"), Is.EqualTo(new KillOptions("abc", 9, true)));
    }

    [Test]
    public void CriOForegroundExec()
    {
        var o = Invokes<ExecOptions>("exec", "--root", "/run/runc", "exec", "--process", "/tmp/exec-process-77", "abc");
        Assert.That((o.Id, o.Process, o.Detach, o.Args.Length), Is.EqualTo(("abc", "/tmp/exec-process-77", false, 0)));
    }

    [Test]
    public void CriOProbesCheckpointHelp()
    {
        var p = RuntimeCli.Parse(["checkpoint", "--help"]);
        Assert.That(p.Outcome, Is.EqualTo(CliOutcome.Help));
        Assert.That(p.CommandName, Is.EqualTo("checkpoint"));
    }
}
