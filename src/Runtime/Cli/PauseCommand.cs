using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime pause ID`: pause suspends all processes inside the container.</summary>
internal sealed record PauseOptions(string Id);

internal static class PauseCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();

    public static readonly CliCommand Definition = new CliCommand<PauseOptions>("pause", Build, Bind, Invoke);

    private static Command Build() => new("pause", "pause suspends all processes inside the container") { Id };

    private static PauseOptions Bind(ParseResult r) => new(r.GetValue(Id)!);

    public static int Invoke(GlobalOptions g, PauseOptions o)
    {
        CgroupCommands.Pause(g.Root, o.Id);
        return 0;
    }
}
