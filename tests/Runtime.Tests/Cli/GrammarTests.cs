using NUnit.Framework;
using Runtime.Cli;
using static Runtime.Tests.Cli.CliAssert;

namespace Runtime.Tests.Cli;

/// <summary>runc's grammar (Go's flag package under urfave/cli v1): value syntaxes, aliases, argument rules, errors.</summary>
public class GrammarTests
{
    [TestCase("--root", "/x")]
    [TestCase("--root=/x")]
    [TestCase("-root", "/x")]
    [TestCase("-root=/x")]
    public void GlobalValueSyntaxes(params string[] root)
    {
        Assert.That(Globals([.. root, "state", "c1"]).Root, Is.EqualTo("/x"));
    }

    [Test]
    public void SingleDashLongFlags()
    {
        var g = Globals("-root", "/r", "-log-format=json", "-log", "/l", "-debug", "-systemd-cgroup", "state", "c1");
        Assert.That(g, Is.EqualTo(new GlobalOptions("/r", "/l", "json", true, true, "auto", "criu")));
        var o = Invokes<RunOptions>("run", "run", "-no-subreaper", "-detach", "-bundle=/b", "-keep", "c1");
        Assert.That((o.NoSubreaper, o.Detach, o.Keep, o.Create.Bundle), Is.EqualTo((true, true, true, "/b")));
    }

    [Test]
    public void RootIsMadeAbsoluteAndClean()
    {
        Assert.That(Globals("--root", "/run//x/../y/", "state", "c1").Root, Is.EqualTo("/run/y"));
        Assert.That(Globals("--root", "rel", "state", "c1").Root, Is.EqualTo(Path.Combine(Environment.CurrentDirectory, "rel")));
        UsageError("Option --root argument should not be set to /", "--root", "/", "state", "c1");
    }

    [Test]
    public void GlobalFlagValidation()
    {
        Assert.That(Globals("--rootless", "TRUE", "state", "c1").Rootless, Is.EqualTo("true"));
        Assert.That(Globals("--rootless=0", "state", "c1").Rootless, Is.EqualTo("false"));
        Assert.That(Globals("--rootless", "Auto", "state", "c1").Rootless, Is.EqualTo("auto"));
        Assert.That(Globals("--criu", "/usr/sbin/criu", "state", "c1").Criu, Is.EqualTo("/usr/sbin/criu"));
        Assert.That(UsageError("invalid log-format: xml", "--log-format", "xml", "state", "c1").Globals, Is.Null);
        UsageError("invalid value \"maybe\" for flag -rootless: must be true, false or auto", "--rootless", "maybe", "state", "c1");
    }

    [Test]
    public void GlobalFlagsOnlyBeforeTheCommand()
    {
        // As in runc: after the command, --root is one of the command's flags, and it has none such.
        var p = UsageError("flag provided but not defined: -root", "list", "--root", "/x");
        Assert.That(p.CommandName, Is.EqualTo("list"));
        Assert.That(p.Globals, Is.EqualTo(GlobalOptions.Defaults), "the globals still hold, so the error is logged where asked");
    }

    [TestCase("--detach")]
    [TestCase("-d")]
    [TestCase("--detach=true")]
    [TestCase("-d=1")]
    [TestCase("--detach=t")]
    [TestCase("--detach=TRUE")]
    public void BooleanTrue(string flag) => Assert.That(Invokes<RunOptions>("run", "run", flag, "c1").Detach, Is.True);

    [TestCase("--detach=false")]
    [TestCase("--detach=0")]
    [TestCase("-d=F")]
    [TestCase("--detach=False")]
    public void BooleanFalse(string flag) => Assert.That(Invokes<RunOptions>("run", "run", flag, "c1").Detach, Is.False);

    [Test]
    public void BooleanTakesNoSeparateValue()
    {
        // Go: "--detach false c1" is --detach, then two arguments.
        UsageError("runtime: \"run\" requires exactly 1 argument(s)", "run", "--detach", "false", "c1");
        UsageError("invalid boolean value \"yes\" for -detach: parse error", "run", "--detach=yes", "c1");
    }

    [Test]
    public void LastValueWins()
    {
        Assert.That(Invokes<CreateOptions>("create", "create", "-b", "/a", "--bundle=/b", "c1").Bundle, Is.EqualTo("/b"));
        Assert.That(Invokes<RunOptions>("run", "run", "-d", "--detach=false", "c1").Detach, Is.False);
    }

    [Test]
    public void FlagsMayFollowArgumentsExceptForExecAndPs()
    {
        Assert.That(Invokes<DeleteOptions>("delete", "delete", "c1", "-f"), Is.EqualTo(new DeleteOptions("c1", true)));
        Assert.That(Invokes<KillOptions>("kill", "kill", "c1", "KILL", "--all"), Is.EqualTo(new KillOptions("c1", 9, true)));
        Assert.That(Invokes<CreateOptions>("create", "create", "c1", "--bundle", "/b").Bundle, Is.EqualTo("/b"));
    }

    [Test]
    public void CreateAndRunFlags()
    {
        var o = Invokes<RunOptions>("run", "run", "-b", "/b", "--console-socket=/s", "--pid-file", "/p", "--no-pivot", "--no-new-keyring",
            "--preserve-fds", "3", "-d", "--keep", "--no-subreaper", "c1");
        Assert.That(o, Is.EqualTo(new RunOptions(new CreateOptions("c1", "/b", "/s", "/p", true, true, 3), true, true, true)));
        Assert.That(Invokes<RunOptions>("run", "run", "c1"), Is.EqualTo(new RunOptions(new CreateOptions("c1", null, null, null, false, false, 0), false, false, false)));
    }

    [TestCase("KILL", 9)]
    [TestCase("SIGKILL", 9)]
    [TestCase("kill", 9)]
    [TestCase("9", 9)]
    [TestCase("TERM", 15)]
    [TestCase("SIGUSR1", 10)]
    [TestCase("hup", 1)]
    [TestCase("0", 0)]
    [TestCase("RTMIN+2", 36)]
    [TestCase("SIGRTMAX", 64)]
    public void KillSignals(string signal, int number) =>
        Assert.That(Invokes<KillOptions>("kill", "kill", "c1", signal), Is.EqualTo(new KillOptions("c1", number, false)));

    [Test]
    public void KillDefaultsToSigterm() =>
        Assert.That(Invokes<KillOptions>("kill", "kill", "c1"), Is.EqualTo(new KillOptions("c1", 15, false)));

    [Test]
    public void KillRefusesUnknownSignals()
    {
        UsageError("unknown signal \"SIGFOO\"", "kill", "c1", "SIGFOO");
        UsageError("unknown signal \"65\"", "kill", "c1", "65");
        UsageError("runtime: \"kill\" requires a maximum of 2 argument(s)", "kill", "c1", "9", "x");
        UsageError("runtime: \"kill\" requires a minimum of 1 argument(s)", "kill");
        UsageError("flag provided but not defined: -9", "kill", "c1", "-9");
    }

    [Test]
    public void ExecArgumentsAfterTheIdAreNotFlags()
    {
        var o = Invokes<ExecOptions>("exec", "exec", "-e", "A=1", "c1", "sh", "-c", "ls -l", "--tty", "-e", "--", "-d");
        Assert.That(o.Id, Is.EqualTo("c1"));
        Assert.That(o.Args, Is.EqualTo(new[] { "sh", "-c", "ls -l", "--tty", "-e", "--", "-d" }));
        Assert.That(o.Env, Is.EqualTo(new[] { "A=1" }));
        Assert.That((o.Tty, o.Detach, o.Caps.Length), Is.EqualTo((false, false, 0)));
    }

    [Test]
    public void ExecAllFlags()
    {
        var o = Invokes<ExecOptions>("exec", "exec", "--console-socket", "/s", "--cwd", "/w", "-e", "A=1", "--env=B=2:3", "-t", "-u", "1000:100",
            "-g", "10", "--additional-gids=11", "--detach", "--pid-file", "/p", "--process-label", "lbl", "--apparmor", "prof",
            "--no-new-privs", "-c", "CAP_SYS_ADMIN", "--cap", "CAP_NET_RAW", "--preserve-fds", "0x2", "--cgroup", "cpu:/sub", "--cgroup=memory:/m",
            "--ignore-paused", "c1", "true");
        Assert.That(o.ConsoleSocket, Is.EqualTo("/s"));
        Assert.That(o.Cwd, Is.EqualTo("/w"));
        Assert.That(o.Env, Is.EqualTo(new[] { "A=1", "B=2:3" }));
        Assert.That(o.Tty, Is.True);
        Assert.That(o.User, Is.EqualTo(new ExecUser(1000, 100)));
        Assert.That(o.AdditionalGids, Is.EqualTo(new uint[] { 10, 11 }));
        Assert.That((o.Detach, o.PidFile, o.ProcessLabel, o.Apparmor, o.NoNewPrivs), Is.EqualTo((true, "/p", "lbl", "prof", (bool?)true)));
        Assert.That(o.Caps, Is.EqualTo(new[] { "CAP_SYS_ADMIN", "CAP_NET_RAW" }));
        Assert.That(o.PreserveFds, Is.EqualTo(2));
        Assert.That(o.Cgroups, Is.EqualTo(new[] { "cpu:/sub", "memory:/m" }));
        Assert.That(o.IgnorePaused, Is.True);
        Assert.That((o.Id, o.Args), Is.EqualTo(("c1", new[] { "true" })));
        Assert.That(Invokes<ExecOptions>("exec", "exec", "--no-new-privs=false", "c1", "x").NoNewPrivs, Is.False);
        Assert.That(Invokes<ExecOptions>("exec", "exec", "-u", "0", "c1", "x").User, Is.EqualTo(new ExecUser(0, null)));
    }

    [Test]
    public void ExecErrors()
    {
        UsageError("process args cannot be empty (give a command after the container ID, or --process)", "exec", "c1");
        UsageError("runtime: \"exec\" requires a minimum of 1 argument(s)", "exec", "--process", "/p");
        UsageError("invalid value \"root\" for flag -user: must be <uid>[:<gid>] with numeric IDs", "exec", "-u", "root", "c1", "x");
        UsageError("invalid value \"-1\" for flag -additional-gids: must be a non-negative number", "exec", "-g", "-1", "c1", "x");
        UsageError("flag provided but not defined: -it", "exec", "-it", "c1", "sh");
    }

    [Test]
    public void ValuesThatLookLikeFlagsOrSeparators()
    {
        // Go takes the next argument as the value whatever it looks like.
        Assert.That(Invokes<ExecOptions>("exec", "exec", "--env", "--", "c1", "x").Env, Is.EqualTo(new[] { "--" }));
        Assert.That(Invokes<ExecOptions>("exec", "exec", "--cwd", "-b", "c1", "x").Cwd, Is.EqualTo("-b"));
        Assert.That(Invokes<ExecOptions>("exec", "exec", "-e", "--bundle=x", "c1", "x").Env, Is.EqualTo(new[] { "--bundle=x" }));
        Assert.That(Invokes<CreateOptions>("create", "create", "--pid-file", "start", "c1").PidFile, Is.EqualTo("start"));
        Assert.That(Invokes<CreateOptions>("create", "create", "--pid-file=", "c1").PidFile, Is.EqualTo(""));
        Assert.That(Globals("--root", "list", "state", "c1").Root, Is.EqualTo(Path.Combine(Environment.CurrentDirectory, "list")));
        Assert.That(Invokes<ExecOptions>("exec", "exec", "c1", "cat", "@file").Args, Is.EqualTo(new[] { "cat", "@file" }));
        Assert.That(Invokes<StartOptions>("start", "start", "--", "-c1").Id, Is.EqualTo("-c1"));
    }

    [Test]
    public void PsArguments()
    {
        var o = Invokes<PsOptions>("ps", "ps", "-f", "table", "c1", "-ef", "--forest");
        Assert.That((o.Id, o.Format, o.PsArgs), Is.EqualTo(("c1", "table", new[] { "-ef", "--forest" })));
        Assert.That(Invokes<PsOptions>("ps", "ps", "c1").Format, Is.EqualTo("table"));
        UsageError("invalid value \"yaml\" for flag -format: must be one of table, json", "ps", "--format=yaml", "c1");
    }

    [Test]
    public void List()
    {
        Assert.That(Invokes<ListOptions>("list", "list"), Is.EqualTo(new ListOptions("table", false)));
        Assert.That(Invokes<ListOptions>("list", "list", "-f", "json", "-q"), Is.EqualTo(new ListOptions("json", true)));
        UsageError("runtime: \"list\" requires exactly 0 argument(s)", "list", "extra");
    }

    [Test]
    public void UpdateFlags()
    {
        var u = Invokes<UpdateOptions>("update", "update", "--blkio-weight", "500", "--cpu-period", "100000", "--cpu-quota", "-1",
            "--cpu-share", "512", "--cpu-rt-period", "1000000", "--cpu-rt-runtime", "950000", "--cpuset-cpus", "0-1", "--cpuset-mems", "0",
            "--kernel-memory", "1g", "--kernel-memory-tcp", "2m", "--memory", "512m", "--memory-reservation=1.5g", "--memory-swap", "-1",
            "--pids-limit", "100", "--l3-cache-schema", "L3:0=ff", "--mem-bw-schema", "MB:0=70", "c1");
        Assert.That(u, Is.EqualTo(new UpdateOptions("c1", null, 500, 100000, -1, 512, 1000000, 950000, "0-1", "0", "1g", "2m",
            512L << 20, 1610612736, -1, 100, "L3:0=ff", "MB:0=70")));
        Assert.That(Invokes<UpdateOptions>("update", "update", "-r", "/res.json", "c1").Resources, Is.EqualTo("/res.json"));
        Assert.That(Invokes<UpdateOptions>("update", "update", "c1"), Is.EqualTo(new UpdateOptions("c1", null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null)));
    }

    [Test]
    public void UpdateValueErrors()
    {
        UsageError("invalid value for memory: invalid size: '12q'", "update", "--memory", "12q", "c1");
        UsageError("invalid value for cpu-period: \"-5\" is not an unsigned integer", "update", "--cpu-period=-5", "c1");
        UsageError("invalid value for cpu-quota: \"x\" is not an integer", "update", "--cpu-quota", "x", "c1");
        UsageError("invalid value \"70000\" for flag -blkio-weight: value out of range", "update", "--blkio-weight", "70000", "c1");
        UsageError("invalid value \"x\" for flag -pids-limit: parse error", "update", "--pids-limit", "x", "c1");
    }

    [Test]
    public void Events()
    {
        Assert.That(Invokes<EventsOptions>("events", "events", "c1"), Is.EqualTo(new EventsOptions("c1", TimeSpan.FromSeconds(5), false)));
        Assert.That(Invokes<EventsOptions>("events", "events", "--interval", "1m30s", "--stats", "c1"),
            Is.EqualTo(new EventsOptions("c1", TimeSpan.FromSeconds(90), true)));
        Assert.That(Invokes<EventsOptions>("events", "events", "--interval=100ms", "c1").Interval, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        UsageError("invalid value \"5\" for flag -interval: missing unit in duration \"5\"", "events", "--interval", "5", "c1");
        UsageError("duration interval must be greater than 0", "events", "--interval", "0s", "c1");
    }

    [Test]
    public void SpecFeaturesStateStart()
    {
        Assert.That(Invokes<SpecOptions>("spec", "spec"), Is.EqualTo(new SpecOptions(null, false)));
        Assert.That(Invokes<SpecOptions>("spec", "spec", "-b", "/b", "--rootless"), Is.EqualTo(new SpecOptions("/b", true)));
        UsageError("runtime: \"spec\" requires exactly 0 argument(s)", "spec", "x");
        UsageError("runtime: \"features\" requires exactly 0 argument(s)", "features", "x");
        Assert.That(Invokes<StateOptions>("state", "state", "c1"), Is.EqualTo(new StateOptions("c1")));
        UsageError("runtime: \"state\" requires exactly 1 argument(s)", "state", "a", "b");
    }

    [Test]
    public void Checkpoint()
    {
        var o = Invokes<CheckpointOptions>("checkpoint", "checkpoint", "--image-path", "/img", "--work-path", "/w", "--parent-path", "../p",
            "--leave-running", "--tcp-established", "--ext-unix-sk", "--shell-job", "--lazy-pages", "--status-fd", "7",
            "--page-server", "10.0.0.1:27", "--file-locks", "--pre-dump", "--manage-cgroups-mode", "full", "--empty-ns", "network",
            "--auto-dedup", "c1");
        Assert.That(o with { EmptyNs = [] }, Is.EqualTo(new CheckpointOptions("c1", "/img", "/w", "../p", true, true, true, true, true, 7,
            "10.0.0.1:27", true, true, "full", [], true)));
        Assert.That(o.EmptyNs, Is.EqualTo(new[] { "network" }));
        var d = Invokes<CheckpointOptions>("checkpoint", "checkpoint", "c1");
        Assert.That((d.StatusFd, d.ManageCgroupsMode, d.LeaveRunning), Is.EqualTo((-1, (string?)null, false)));
        UsageError("invalid value \"lax\" for flag -manage-cgroups-mode: Invalid manage cgroups mode (soft, full or strict)",
            "checkpoint", "--manage-cgroups-mode", "lax", "c1");
    }

    [Test]
    public void Restore()
    {
        var o = Invokes<RestoreOptions>("restore", "restore", "--console-socket", "/s", "--image-path", "/img", "--work-path", "/w",
            "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks", "--manage-cgroups-mode", "soft", "-b", "/b", "-d",
            "--pid-file", "/p", "--no-subreaper", "--no-pivot", "--empty-ns", "network", "--auto-dedup", "--lazy-pages",
            "--lsm-profile", "apparmor:x", "--lsm-mount-context", "ctx", "c1");
        Assert.That(o with { EmptyNs = [] }, Is.EqualTo(new RestoreOptions("c1", "/s", "/img", "/w", true, true, true, true, "soft", "/b", true,
            "/p", true, true, [], true, true, "apparmor:x", "ctx")));
        Assert.That(o.EmptyNs, Is.EqualTo(new[] { "network" }));
    }

    [Test]
    public void UsageErrorsNameTheFlagOrArgument()
    {
        UsageError("runtime: \"delete\" requires exactly 1 argument(s)", "delete");
        UsageError("runtime: \"create\" requires exactly 1 argument(s)", "create", "a", "b");
        UsageError("flag provided but not defined: -bogus", "delete", "--bogus", "c1");
        UsageError("flag provided but not defined: -bogus", "--bogus", "list");
        UsageError("invalid value \"x\" for flag -preserve-fds: parse error", "create", "--preserve-fds=x", "c1");
        UsageError("invalid value \"-1\" for flag -preserve-fds: must not be negative", "create", "--preserve-fds", "-1", "c1");
        UsageError("flag needs an argument: -bundle", "create", "c1", "--bundle");
        UsageError("bad flag syntax: ---x", "create", "---x", "c1");
        UsageError("bad flag syntax: -=x", "-=x", "list");
    }

    [Test]
    public void UnknownCommandExitsThreeLikeRunc()
    {
        var p = UsageError("unknown command \"nosuch\" (see \"runtime --help\")", "nosuch");
        Assert.That((p.ExitCode, p.ShowHelpOnError), Is.EqualTo((3, false)));
        Assert.That(RuntimeCli.Parse(["delete"]).ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void Help()
    {
        Assert.That(RuntimeCli.Parse([]) is { Outcome: CliOutcome.Help, Command: null });
        Assert.That(RuntimeCli.Parse(["--help"]) is { Outcome: CliOutcome.Help, Command: null });
        Assert.That(RuntimeCli.Parse(["-h"]) is { Outcome: CliOutcome.Help, Command: null });
        Assert.That(RuntimeCli.Parse(["help"]) is { Outcome: CliOutcome.Help, Command: null });
        Assert.That(RuntimeCli.Parse(["h", "exec"]) is { Outcome: CliOutcome.Help, CommandName: "exec" });
        Assert.That(RuntimeCli.Parse(["create", "-h"]) is { Outcome: CliOutcome.Help, CommandName: "create" });
        Assert.That(RuntimeCli.Parse(["kill", "--help=false", "c1"]).Outcome, Is.EqualTo(CliOutcome.Invoke));
        Assert.That(RuntimeCli.Parse(["help", "nosuch"]) is { Outcome: CliOutcome.UsageError, ExitCode: 3, Error: "No help topic for 'nosuch'" });
    }

    [Test]
    public void HelpTextListsEveryCommandAndFlag()
    {
        string top = RuntimeCli.HelpText(null);
        foreach (var name in new[] { "checkpoint", "create", "delete", "events", "exec", "kill", "list", "pause", "ps", "restore", "resume",
                     "run", "spec", "start", "state", "update", "features" })
            Assert.That(top, Does.Contain($"\n   {name} "), name);
        Assert.That(top, Does.Contain("--root value").And.Contain("--version, -v"));
        string exec = RuntimeCli.HelpText(CommandTable.Find("exec"));
        Assert.That(exec, Does.StartWith("NAME:\n   runtime exec - execute new process inside the container"));
        Assert.That(exec, Does.Contain("--env value, -e value").And.Contain("--tty, -t").And.Contain("--help, -h"));
        Assert.That(RuntimeCli.HelpText(CommandTable.Find("update")), Does.Not.Contain("kernel-memory"), "hidden like runc's");
    }
}
