using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>
/// `runtime kill [--all] ID [SIGNAL]`: <see cref="Signal"/> is the number, SIGTERM (15) when not given;
/// the command line may say 9, KILL or SIGKILL.
/// </summary>
internal sealed record KillOptions(string Id, int Signal, bool All);

internal static class KillCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Argument<int> Signal = new("signal")
    {
        Description = "the signal to send: a number or a name, with or without SIG (default: SIGTERM)",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => Signals.SIGTERM,
        CustomParser = r =>
        {
            string raw = Flags.Value(r);
            if (Signals.Parse(raw) is { } n)
                return n;
            r.AddError($"unknown signal {GoValues.Quote(raw)}");
            return 0;
        },
    };
    private static readonly Option<bool> All = Flags.Bool("--all", "send the specified signal to all processes inside the container", "-a");

    public static readonly CliCommand Definition = new CliCommand<KillOptions>("kill", Build, Bind, Invoke);

    private static Command Build() => new("kill", """
        kill sends the specified signal (default: SIGTERM) to the container's init process
        [signal] is a number or a name with or without SIG, e.g. to send KILL to "ubuntu01":

               # runtime kill ubuntu01 KILL
        """)
    {
        All, Id, Signal,
    };

    private static KillOptions Bind(ParseResult r) => new(r.GetValue(Id)!, r.GetValue(Signal), r.GetValue(All));

    public static int Invoke(GlobalOptions g, KillOptions o)
    {
        Killer.Kill(g.Root, o.Id, o.Signal, o.All);
        return 0;
    }
}
