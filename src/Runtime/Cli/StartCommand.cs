using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime start ID`: executes the user defined process in a created container.</summary>
internal sealed record StartOptions(string Id);

internal static class StartCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();

    public static readonly CliCommand Definition = new CliCommand<StartOptions>("start", Build, Bind, Invoke);

    private static Command Build() => new("start", "executes the user defined process in a created container") { Id };

    private static StartOptions Bind(ParseResult r) => new(r.GetValue(Id)!);

    public static int Invoke(GlobalOptions g, StartOptions o)
    {
        Starter.Start(g.Root, o.Id);
        return 0;
    }
}
