using System.CommandLine;
using System.Diagnostics;
using Runtime.Linux;
using Runtime.Logging;

namespace Runtime.Cli;

internal enum CliOutcome
{
    /// <summary>Run <see cref="CliParse.Command"/> with <see cref="CliParse.Options"/>.</summary>
    Invoke,
    /// <summary>Print the help of <see cref="CliParse.Command"/> (the top level when null), exit 0.</summary>
    Help,
    /// <summary>Print the version, exit 0.</summary>
    Version,
    /// <summary>Bad command line: <see cref="CliParse.Error"/>, exit <see cref="CliParse.ExitCode"/>.</summary>
    UsageError,
}

/// <summary>
/// What a command line means, decided without doing anything. <see cref="Globals"/> is null only when the
/// global flags themselves are unusable (then the error goes to stderr, as no log is set up).
/// </summary>
internal sealed record CliParse(
    CliOutcome Outcome,
    GlobalOptions? Globals,
    CliCommand? Command = null,
    object? Options = null,
    string? Error = null,
    int ExitCode = 0,
    bool ShowHelpOnError = true)
{
    public string? CommandName => Command?.Name;
}

/// <summary>
/// The runtime's command line, runc 1.1's grammar: <c>runtime [global flags] command [flags] args</c>.
/// <see cref="Parse"/> decides; <see cref="Run"/> sets up logging, runs the command and maps failures to
/// exit statuses and messages like runc (usage errors: "Incorrect Usage." and the help on stdout, the error
/// on stderr and in the log, exit 1; a failing command: its error logged, exit 1, exec 255).
/// </summary>
internal static class RuntimeCli
{
    private static readonly ParserConfiguration Config = new()
    {
        EnablePosixBundling = false,     // Go has no "-abc" bundles: -no-pivot is one flag
        ResponseFileTokenReplacer = null, // "@file" is an ordinary argument (exec ID cat @x)
    };

    public static CliParse Parse(IReadOnlyList<string> args)
    {
        var root = GlobalFlags.RootCommand;
        var globalValues = new GoFlagSyntax.FlagValues();
        int i = 0;
        string? error = GoFlagSyntax.Parse(new GoFlagSyntax.FlagSet(root.Options), args, ref i, permute: false, globalValues, null);
        if (error != null)
            return Usage(null, null, error);
        if (globalValues.IsTrue(GlobalFlags.Help))
            return new CliParse(CliOutcome.Help, null);
        if (globalValues.IsTrue(GlobalFlags.Version))
            return new CliParse(CliOutcome.Version, null);

        var tokens = new List<string>(args.Count + 4);
        globalValues.EmitTo(tokens);
        if (i == args.Count)
            return new CliParse(CliOutcome.Help, null); // runc without a command prints its help

        string name = args[i++];
        if (name is "help" or "h")
            return HelpTopic(tokens, i < args.Count ? args[i] : null);
        var command = CommandTable.Find(name);
        if (command is null)
            return UnknownCommand(tokens, name);

        if (!root.Subcommands.Contains(command.Command))
            root.Subcommands.Add(command.Command);
        var flagSet = new GoFlagSyntax.FlagSet([.. command.Command.Options, GlobalFlags.Help]);
        var values = new GoFlagSyntax.FlagValues();
        var positionals = new List<string>();
        error = GoFlagSyntax.Parse(flagSet, args, ref i, permute: !command.RawArgs, values, positionals);
        for (; i < args.Count; i++)
            positionals.Add(args[i]);
        if (error != null)
            return GlobalsOnly(tokens, out var g, out var globalError) ? Usage(g, command, error) : Usage(null, null, globalError!);
        if (values.IsTrue(GlobalFlags.Help))
            return GlobalsOnly(tokens, out var hg, out _) ? new CliParse(CliOutcome.Help, hg, command) : new CliParse(CliOutcome.Help, null, command);

        tokens.Add(command.Name);
        values.EmitTo(tokens);
        if (positionals.Count > 0)
        {
            tokens.Add("--");
            tokens.AddRange(positionals);
        }
        var result = root.Parse(tokens, Config);
        var globals = GlobalFlags.Bind(result, out var bindError);
        if (globals is null)
            return Usage(null, null, bindError!);

        var (min, max) = command.ArgCount;
        string? countError =
            min == max && positionals.Count != min ? $"\"{name}\" requires exactly {min} argument(s)" :
            positionals.Count < min ? $"\"{name}\" requires a minimum of {min} argument(s)" :
            positionals.Count > max ? $"\"{name}\" requires a maximum of {max} argument(s)" : null;
        if (countError != null)
            return Usage(globals, command, "runtime: " + countError);
        if (result.Errors.Count > 0)
            return Usage(globals, command, result.Errors[0].Message);

        return new CliParse(CliOutcome.Invoke, globals, command, command.Bind(result));
    }

    public static int Run(string[] args)
    {
        var p = Parse(args);
        if (p.Globals is { } g)
        {
            try
            {
                Log.Configure(g.Log, g.LogFormat, g.Debug);
            }
            catch (RuntimeException e)
            {
                Log.Error(e.Message); // still on stderr: the logger keeps its defaults
                return 1;
            }
        }

        switch (p.Outcome)
        {
            case CliOutcome.Version:
                Console.Out.Write(VersionInfo.Text);
                return 0;
            case CliOutcome.Help:
                Console.Out.Write(HelpText(p.Command));
                return 0;
            case CliOutcome.UsageError:
                if (p.ShowHelpOnError)
                {
                    Console.Out.Write("Incorrect Usage.\n\n");
                    Console.Out.Write(HelpText(p.Command));
                }
                Log.Error(p.Error!);
                return p.ExitCode;
        }

        var command = p.Command!;
        if (Log.IsDebugEnabled)
            Log.Stage($"{command.Name}: command line parsed");
        try
        {
            return command.Invoke(p.Globals!, p.Options!);
        }
        catch (RuntimeException e)
        {
            Log.Error(command.FailurePrefix + e.Message);
            return command.FailureExitCode;
        }
        catch (Exception e)
        {
            // Not an anticipated failure, but still one line a person can act on; the trace with --debug.
            string what = e is SyscallException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Log.Error(command.FailurePrefix + what.ReplaceLineEndings(" "));
            if (Log.IsDebugEnabled)
                Log.Debug(e.ToString());
            return command.FailureExitCode;
        }
    }

    /// <summary>The help of a command, or of the top level with every command listed.</summary>
    public static string HelpText(CliCommand? command)
    {
        var root = GlobalFlags.RootCommand;
        var all = new List<Command>();
        if (command is null)
            foreach (var c in CommandTable.All())
                all.Add(c.Command);
        return HelpWriter.Text(root, command?.Command, all);
    }

    private static CliParse Usage(GlobalOptions? globals, CliCommand? command, string error, int exitCode = 1, bool showHelp = true) =>
        new(CliOutcome.UsageError, globals, command, Error: error, ExitCode: exitCode, ShowHelpOnError: showHelp);

    // urfave/cli answers an unknown command with exit status 3, after the global flags took effect.
    private static CliParse UnknownCommand(List<string> globalTokens, string name)
    {
        string error = $"unknown command \"{name}\" (see \"runtime --help\")";
        return GlobalsOnly(globalTokens, out var g, out var globalError)
            ? Usage(g, null, error, exitCode: 3, showHelp: false)
            : Usage(null, null, globalError!);
    }

    // `runtime help [command]`, urfave/cli's built-in.
    private static CliParse HelpTopic(List<string> globalTokens, string? topic)
    {
        if (!GlobalsOnly(globalTokens, out var g, out var globalError))
            return Usage(null, null, globalError!);
        if (topic is null)
            return new CliParse(CliOutcome.Help, g);
        return CommandTable.Find(topic) is { } command
            ? new CliParse(CliOutcome.Help, g, command)
            : Usage(g, null, $"No help topic for '{topic}'", exitCode: 3, showHelp: false);
    }

    // The globals alone, for outcomes decided before the command's own flags parsed.
    private static bool GlobalsOnly(List<string> globalTokens, out GlobalOptions? globals, out string? error)
    {
        globals = GlobalFlags.Bind(GlobalFlags.RootCommand.Parse(globalTokens, Config), out error);
        return globals != null;
    }
}
