using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>
/// `runtime ps [--format table|json] ID [ps options]`: everything after the ID goes to ps(1) untouched
/// (default "-ef"; empty here when none were given).
/// </summary>
internal sealed record PsOptions(string Id, string Format, string[] PsArgs);

internal static class PsCommand
{
    private static readonly Option<string> Format = Flags.Choice("--format", "select one of: table or json", "table", ["table", "json"], "-f");
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Argument<string[]> PsArgs = new("ps-options")
    {
        Description = "options for ps(1) (default: -ef)",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => [],
    };

    public static readonly CliCommand Definition = new CliCommand<PsOptions>("ps", Build, Bind, Invoke, rawArgs: true);

    private static Command Build() => new("ps", "ps displays the processes running inside a container") { Format, Id, PsArgs };

    private static PsOptions Bind(ParseResult r) => new(r.GetValue(Id)!, r.GetValue(Format)!, r.GetValue(PsArgs) ?? []);

    public static int Invoke(GlobalOptions g, PsOptions o)
    {
        if (o.Format == "json")
            Console.Out.Write(System.Text.Json.JsonSerializer.Serialize(CgroupCommands.Pids(g.Root, o.Id), Spec.SpecJsonContext.Default.ListInt32) + "\n");
        else
            Console.Out.Write(CgroupCommands.PsTable(g.Root, o.Id, o.PsArgs));
        return 0;
    }
}
