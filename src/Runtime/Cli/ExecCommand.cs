using Runtime.State;
using Runtime.Spec;
using Runtime.Container;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Runtime.Cli;

/// <summary>`--user UID[:GID]`.</summary>
internal sealed record ExecUser(uint Uid, uint? Gid);

/// <summary>
/// `runtime exec [flags] ID COMMAND [ARGS…]` or `runtime exec [flags] -p process.json ID`. Flags end at the
/// ID; <see cref="Args"/> is everything after it, verbatim. As in runc, when <see cref="Process"/> is given the
/// process comes from that file and the per-field flags (cwd, env, tty, user, caps, …) do not apply;
/// <see cref="NoNewPrivs"/> is null when not given (the config's value stands).
/// </summary>
internal sealed record ExecOptions(
    string Id,
    string[] Args,
    string? ConsoleSocket,
    string? Cwd,
    string[] Env,
    bool Tty,
    ExecUser? User,
    uint[] AdditionalGids,
    string? Process,
    bool Detach,
    string? PidFile,
    string? ProcessLabel,
    string? Apparmor,
    bool? NoNewPrivs,
    string[] Caps,
    int PreserveFds,
    string[] Cgroups,
    bool IgnorePaused);

internal static class ExecCommand
{
    private static readonly Option<string?> ConsoleSocket = Flags.ConsoleSocket();
    private static readonly Option<string?> Cwd = Flags.String("--cwd", "current working directory in the container");
    private static readonly Option<string[]> Env = Flags.Strings("--env", "set environment variables", "-e");
    private static readonly Option<bool> Tty = Flags.Bool("--tty", "allocate a pseudo-TTY", "-t");
    private static readonly Option<ExecUser?> User = new("--user", "-u")
    {
        Description = "UID (format: <uid>[:<gid>])", HelpName = "value", CustomParser = ParseUser,
    };
    private static readonly Option<uint[]> AdditionalGids = new("--additional-gids", "-g")
    {
        Description = "additional gids", HelpName = "value", DefaultValueFactory = _ => [], CustomParser = ParseGids,
    };
    private static readonly Option<string?> Process = Flags.String("--process", "path to the process.json", "-p");
    private static readonly Option<bool> Detach = Flags.Detach();
    private static readonly Option<string?> PidFile = Flags.PidFile();
    private static readonly Option<string?> ProcessLabel = Flags.String("--process-label",
        "set the asm process label for the process commonly used with selinux");
    private static readonly Option<string?> Apparmor = Flags.String("--apparmor", "set the apparmor profile for the process");
    private static readonly Option<bool> NoNewPrivs = Flags.Bool("--no-new-privs", "set the no new privileges value for the process");
    private static readonly Option<string[]> Caps = Flags.Strings("--cap", "add a capability to the bounding set for the process", "-c");
    private static readonly Option<int> PreserveFds = Flags.PreserveFds();
    private static readonly Option<string[]> Cgroups = Flags.Strings("--cgroup",
        "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.");
    private static readonly Option<bool> IgnorePaused = Flags.Bool("--ignore-paused", "allow exec in a paused container");
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Argument<string[]> Command = new("command")
    {
        Description = "the command to run and its arguments (not needed with --process)",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => [],
    };

    public static readonly CliCommand Definition = new CliCommand<ExecOptions>("exec", Build, Bind, Invoke,
        rawArgs: true, failurePrefix: "exec failed: ", failureExitCode: 255);

    private static Command Build()
    {
        var c = new Command("exec", """
        execute new process inside the container
        Flags go before <container-id>; everything after it is the command and its
        arguments, passed as they are:

               # runtime exec <container-id> sh -c 'ls -l'
               # runtime exec --process process.json <container-id>
        """)
        {
            ConsoleSocket, Cwd, Env, Tty, User, AdditionalGids, Process, Detach, PidFile, ProcessLabel, Apparmor,
            NoNewPrivs, Caps, PreserveFds, Cgroups, IgnorePaused, Id, Command,
        };
        c.Validators.Add(r =>
        {
            if (r.GetValue(Process) is null && (r.GetValue(Command) ?? []).Length == 0)
                r.AddError("process args cannot be empty (give a command after the container ID, or --process)");
        });
        return c;
    }

    private static ExecOptions Bind(ParseResult r) => new(
        r.GetValue(Id)!, r.GetValue(Command) ?? [], r.GetValue(ConsoleSocket), r.GetValue(Cwd), r.GetValue(Env) ?? [],
        r.GetValue(Tty), r.GetValue(User), r.GetValue(AdditionalGids) ?? [], r.GetValue(Process), r.GetValue(Detach),
        r.GetValue(PidFile), r.GetValue(ProcessLabel), r.GetValue(Apparmor),
        r.GetResult(NoNewPrivs) is { Implicit: false } ? r.GetValue(NoNewPrivs) : null,
        r.GetValue(Caps) ?? [], r.GetValue(PreserveFds), r.GetValue(Cgroups) ?? [], r.GetValue(IgnorePaused));

    public static int Invoke(GlobalOptions g, ExecOptions o)
    {
        if (o.Cgroups.Length > 0)
            throw new NotImplementedYetException("exec --cgroup");
        Runtime.Cgroups.CgroupWarmup.Begin(Runtime.Cgroups.CgroupLayout.Detect()); // before loading the process: see CgroupWarmup
        Spec.Process process;
        if (o.Process != null && o.Args.Length > 0)
            throw new RuntimeException("exec: --process and a command line are mutually exclusive (the process file has its args)");
        if (o.Process != null)
        {
            process = ConfigLoader.LoadProcess(o.Process);
            if (o.Tty) process.Terminal = true;
        }
        else
        {
            string bundle;
            using (var dir = new StateStore(g.Root).Open(o.Id, locked: false))
                bundle = dir.Read().Bundle;
            var user = o.User is { } u ? (u.Gid is { } gid ? $"{u.Uid}:{gid}" : $"{u.Uid}") : null;
            process = ExecProcess.FromBundle(bundle, new ExecOverrides(o.Args, o.Cwd, o.Env, o.Tty, user, o.AdditionalGids,
                o.Caps, o.NoNewPrivs == true, o.Apparmor, o.ProcessLabel));
        }
        return Executor.Exec(new ExecRequest(g.Root, o.Id, process, o.Detach, o.PidFile, o.ConsoleSocket, o.PreserveFds, o.IgnorePaused));
    }

    private static ExecUser? ParseUser(ArgumentResult r)
    {
        string v = Flags.Value(r);
        int colon = v.IndexOf(':');
        uint? uid = Id32(colon < 0 ? v : v[..colon]);
        uint? gid = colon < 0 ? null : Id32(v[(colon + 1)..]);
        if (uid is null || colon >= 0 && gid is null)
            return Flags.Fail<ExecUser?>(r, "--user", "must be <uid>[:<gid>] with numeric IDs");
        return new ExecUser(uid.Value, gid);
    }

    private static uint[] ParseGids(ArgumentResult r)
    {
        var gids = new uint[r.Tokens.Count];
        for (int i = 0; i < gids.Length; i++)
        {
            if (Id32(r.Tokens[i].Value) is not { } gid)
            {
                r.AddError($"invalid value {GoValues.Quote(r.Tokens[i].Value)} for flag -additional-gids: must be a non-negative number");
                return [];
            }
            gids[i] = gid;
        }
        return gids;
    }

    private static uint? Id32(string s) =>
        s.Length > 0 && char.IsAsciiDigit(s[0]) && uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out uint v) ? v : null;
}
