using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime state ID`: output the state of a container.</summary>
internal sealed record StateOptions(string Id);

internal static class StateCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();

    public static readonly CliCommand Definition = new CliCommand<StateOptions>("state", Build, Bind, Invoke);

    private static Command Build() => new("state", "output the state of a container") { Id };

    private static StateOptions Bind(ParseResult r) => new(r.GetValue(Id)!);

    public static int Invoke(GlobalOptions g, StateOptions o)
    {
        Console.Out.Write(StateOutput.State(StateQuery.Get(g.Root, o.Id)));
        return 0;
    }
}
