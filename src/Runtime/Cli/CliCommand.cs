using System.CommandLine;

namespace Runtime.Cli;

/// <summary>
/// One runtime command: its System.CommandLine definition (built on first use, once), how its parse result
/// becomes the typed options record, and the invoke method that runs it.
/// </summary>
internal abstract class CliCommand
{
    private Command? _command;

    protected CliCommand(string name, bool rawArgs, string failurePrefix, int failureExitCode)
    {
        Name = name;
        RawArgs = rawArgs;
        FailurePrefix = failurePrefix;
        FailureExitCode = failureExitCode;
    }

    public string Name { get; }

    /// <summary>
    /// exec and ps (urfave/cli's SkipArgReorder): flags end at the container ID, everything after it goes to
    /// the process untouched. Other commands accept flags after their arguments too.
    /// </summary>
    public bool RawArgs { get; }

    /// <summary>What runc puts before a failure's message ("runc create failed: ", "exec failed: ").</summary>
    public string FailurePrefix { get; }

    /// <summary>Exit status when the command fails (1; exec: 255, so callers tell it from the process's own status).</summary>
    public int FailureExitCode { get; }

    public Command Command => _command ??= Build();

    /// <summary>(minimum, maximum) positional arguments, from the declared arguments' arities (runc's checkArgs).</summary>
    public (int Min, int Max) ArgCount
    {
        get
        {
            int min = 0, max = 0;
            foreach (var a in Command.Arguments)
            {
                min += a.Arity.MinimumNumberOfValues;
                max = a.Arity.MaximumNumberOfValues > 1 || max == int.MaxValue ? int.MaxValue : max + a.Arity.MaximumNumberOfValues;
            }
            return (min, max);
        }
    }

    protected abstract Command Build();
    public abstract object Bind(ParseResult result);
    public abstract int Invoke(GlobalOptions globals, object options);
}

/// <summary>A command whose options record is <typeparamref name="TOptions"/>; plain delegates, no reflection.</summary>
internal sealed class CliCommand<TOptions>(
    string name,
    Func<Command> build,
    Func<ParseResult, TOptions> bind,
    Func<GlobalOptions, TOptions, int> invoke,
    bool rawArgs = false,
    string failurePrefix = "",
    int failureExitCode = 1) : CliCommand(name, rawArgs, failurePrefix, failureExitCode)
    where TOptions : notnull
{
    protected override Command Build() => build();
    public override object Bind(ParseResult result) => bind(result);
    public override int Invoke(GlobalOptions globals, object options) => invoke(globals, (TOptions)options);
}

/// <summary>
/// Every command, in runc's order. Entries are thunks so that starting the binary touches (and builds) only
/// the command that runs; the full tree is built only to print the top-level help.
/// </summary>
internal static class CommandTable
{
    private static readonly (string Name, Func<CliCommand> Get)[] Entries =
    [
        ("checkpoint", static () => CheckpointCommand.Definition),
        ("create", static () => CreateCommand.Definition),
        ("delete", static () => DeleteCommand.Definition),
        ("events", static () => EventsCommand.Definition),
        ("exec", static () => ExecCommand.Definition),
        ("kill", static () => KillCommand.Definition),
        ("list", static () => ListCommand.Definition),
        ("pause", static () => PauseCommand.Definition),
        ("ps", static () => PsCommand.Definition),
        ("restore", static () => RestoreCommand.Definition),
        ("resume", static () => ResumeCommand.Definition),
        ("run", static () => RunCommand.Definition),
        ("spec", static () => SpecCommand.Definition),
        ("start", static () => StartCommand.Definition),
        ("state", static () => StateCommand.Definition),
        ("update", static () => UpdateCommand.Definition),
        ("features", static () => FeaturesCommand.Definition),
    ];

    public static CliCommand? Find(string name)
    {
        foreach (var (n, get) in Entries)
            if (n == name)
                return get();
        return null;
    }

    public static IEnumerable<CliCommand> All()
    {
        foreach (var (_, get) in Entries)
            yield return get();
    }
}
