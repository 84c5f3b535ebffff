using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime run [flags] ID`: create's flags, then how to wait for the container.</summary>
internal sealed record RunOptions(
    CreateOptions Create,
    bool Detach,
    bool Keep,
    bool NoSubreaper);

internal static class RunCommand
{
    private static readonly CreateFlags F = new();
    private static readonly Option<bool> Detach = Flags.Detach();
    private static readonly Option<bool> Keep = Flags.Bool("--keep", "do not delete the container after it exits");
    private static readonly Option<bool> NoSubreaper = Flags.NoSubreaper();

    public static readonly CliCommand Definition = new CliCommand<RunOptions>("run", Build, Bind, Invoke,
        failurePrefix: "runtime run failed: ");

    private static Command Build() => F.AddTo(new Command("run", """
        create and run a container
        The run command creates an instance of a container for a bundle and starts it:
        create then start, then (without --detach) waits for the process and deletes the
        container when it exits (unless --keep).
        """)
    {
        Detach, Keep, NoSubreaper,
    });

    private static RunOptions Bind(ParseResult r) => new(F.Bind(r), r.GetValue(Detach), r.GetValue(Keep), r.GetValue(NoSubreaper));

    public static int Invoke(GlobalOptions g, RunOptions o) =>
        Runner.Run(CreateCommand.Request(g, o.Create), o.Detach, o.Keep, o.NoSubreaper);
}
