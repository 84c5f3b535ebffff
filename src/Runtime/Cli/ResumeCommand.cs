using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime resume ID`: resumes all processes that have been previously paused.</summary>
internal sealed record ResumeOptions(string Id);

internal static class ResumeCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();

    public static readonly CliCommand Definition = new CliCommand<ResumeOptions>("resume", Build, Bind, Invoke);

    private static Command Build() => new("resume", "resumes all processes that have been previously paused") { Id };

    private static ResumeOptions Bind(ParseResult r) => new(r.GetValue(Id)!);

    public static int Invoke(GlobalOptions g, ResumeOptions o)
    {
        CgroupCommands.Resume(g.Root, o.Id);
        return 0;
    }
}
