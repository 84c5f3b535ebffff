using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime delete [--force] ID`.</summary>
internal sealed record DeleteOptions(string Id, bool Force);

internal static class DeleteCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Option<bool> Force = Flags.Bool("--force",
        "Forcibly deletes the container if it is still running (uses SIGKILL)", "-f");

    public static readonly CliCommand Definition = new CliCommand<DeleteOptions>("delete", Build, Bind, Invoke);

    private static Command Build() => new("delete", "delete any resources held by the container often used with detached container")
    {
        Force, Id,
    };

    private static DeleteOptions Bind(ParseResult r) => new(r.GetValue(Id)!, r.GetValue(Force));

    public static int Invoke(GlobalOptions g, DeleteOptions o)
    {
        Deleter.Delete(g.Root, o.Id, o.Force);
        return 0;
    }
}
