using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime events [--interval 5s] [--stats] ID`: <see cref="Interval"/> is positive.</summary>
internal sealed record EventsOptions(string Id, TimeSpan Interval, bool Stats);

internal static class EventsCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Option<TimeSpan> Interval = new("--interval")
    {
        Description = "set the stats collection interval (default: 5s)",
        HelpName = "value",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        CustomParser = r =>
        {
            if (GoValues.ParseDuration(Flags.Value(r), out string? e) is not { } d)
                return Flags.Fail<TimeSpan>(r, "--interval", e!);
            if (d <= TimeSpan.Zero)
                r.AddError("duration interval must be greater than 0");
            return d;
        },
    };
    private static readonly Option<bool> Stats = Flags.Bool("--stats", "display the container's stats then exit");

    public static readonly CliCommand Definition = new CliCommand<EventsOptions>("events", Build, Bind, Invoke);

    private static Command Build() => new("events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics")
    {
        Interval, Stats, Id,
    };

    private static EventsOptions Bind(ParseResult r) => new(r.GetValue(Id)!, r.GetValue(Interval), r.GetValue(Stats));

    public static int Invoke(GlobalOptions g, EventsOptions o)
    {
        CgroupCommands.Events(g.Root, o.Id, o.Interval, o.Stats, Console.Out);
        return 0;
    }
}
