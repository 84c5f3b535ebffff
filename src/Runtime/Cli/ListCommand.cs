using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime list [--format table|json] [--quiet]`: <see cref="Format"/> is "table" or "json".</summary>
internal sealed record ListOptions(string Format, bool Quiet);

internal static class ListCommand
{
    private static readonly Option<string> Format = Flags.Choice("--format", "select one of: table or json", "table", ["table", "json"], "-f");
    private static readonly Option<bool> Quiet = Flags.Bool("--quiet", "display only container IDs", "-q");

    public static readonly CliCommand Definition = new CliCommand<ListOptions>("list", Build, Bind, Invoke);

    private static Command Build() => new("list", "lists containers started by runtime with the given root (global flag --root)")
    {
        Format, Quiet,
    };

    private static ListOptions Bind(ParseResult r) => new(r.GetValue(Format)!, r.GetValue(Quiet));

    public static int Invoke(GlobalOptions g, ListOptions o)
    {
        var views = StateQuery.List(g.Root);
        Console.Out.Write(o.Format == "json" ? StateOutput.ListJson(views) + "\n" : StateOutput.ListTable(views, o.Quiet));
        return 0;
    }
}
