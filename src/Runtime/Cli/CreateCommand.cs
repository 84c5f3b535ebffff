using Runtime.Container;
using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime create [flags] ID`: the container's flags shared by create and run.</summary>
internal sealed record CreateOptions(
    string Id,
    string? Bundle,
    string? ConsoleSocket,
    string? PidFile,
    bool NoPivot,
    bool NoNewKeyring,
    int PreserveFds);

/// <summary>The flags of create (also the first part of run's), defined once.</summary>
internal sealed class CreateFlags
{
    public readonly Option<string?> Bundle = Flags.Bundle();
    public readonly Option<string?> ConsoleSocket = Flags.ConsoleSocket();
    public readonly Option<string?> PidFile = Flags.PidFile();
    public readonly Option<bool> NoPivot = Flags.NoPivot();
    public readonly Option<bool> NoNewKeyring = Flags.NoNewKeyring();
    public readonly Option<int> PreserveFds = Flags.PreserveFds();
    public readonly Argument<string> Id = Flags.ContainerId();

    public Command AddTo(Command c)
    {
        c.Add(Bundle);
        c.Add(ConsoleSocket);
        c.Add(PidFile);
        c.Add(NoPivot);
        c.Add(NoNewKeyring);
        c.Add(PreserveFds);
        c.Add(Id);
        return c;
    }

    public CreateOptions Bind(ParseResult r) => new(
        r.GetValue(Id)!, r.GetValue(Bundle), r.GetValue(ConsoleSocket), r.GetValue(PidFile),
        r.GetValue(NoPivot), r.GetValue(NoNewKeyring), r.GetValue(PreserveFds));
}

internal static class CreateCommand
{
    private static readonly CreateFlags F = new();

    public static readonly CliCommand Definition = new CliCommand<CreateOptions>("create", Build, F.Bind, Invoke,
        failurePrefix: "runtime create failed: ");

    private static Command Build() => F.AddTo(new Command("create", """
        create a container
        The create command creates an instance of a container for a bundle. The bundle
        is a directory with a specification file named "config.json" and a root
        filesystem. The container waits for "runtime start" to run the process in the
        config's "process". <container-id> names the instance; it must be unique on this host.
        """));

    public static int Invoke(GlobalOptions g, CreateOptions o)
    {
        Creator.Create(Request(g, o));
        return 0;
    }

    /// <summary>The create flags as the lifecycle takes them (shared with run).</summary>
    internal static CreateRequest Request(GlobalOptions g, CreateOptions o) =>
        new(g.Root, o.Id, o.Bundle ?? ".", o.ConsoleSocket, o.PidFile, o.NoPivot, o.NoNewKeyring, o.PreserveFds);
}
