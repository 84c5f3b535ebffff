using System.CommandLine;

namespace Runtime.Cli;

/// <summary>
/// The global flags, given before the command as with runc. <see cref="Root"/> is absolute and clean;
/// <see cref="Rootless"/> is "true", "false" or "auto"; <see cref="LogFormat"/> is "text" or "json".
/// </summary>
internal sealed record GlobalOptions(
    string Root,
    string? Log,
    string LogFormat,
    bool Debug,
    bool SystemdCgroup,
    string? Rootless,
    string? Criu)
{
    public const string DefaultRoot = "/run/runtime";

    /// <summary>The defaults, as when no global flag is given.</summary>
    public static GlobalOptions Defaults { get; } = new(DefaultRoot, null, "text", false, false, "auto", "criu");
}

/// <summary>The global flags' definitions (runc's main.go) and the root command that carries them.</summary>
internal static class GlobalFlags
{
    public static readonly Option<bool> Debug = Flags.Bool("--debug", "enable debug logging");
    public static readonly Option<string?> Log = Flags.String("--log", "set the log file to write runtime logs to (default is '/dev/stderr')");
    public static readonly Option<string> LogFormat = Flags.StringWithDefault("--log-format", "set the log format ('text' (default), or 'json') (default: \"text\")", "text");
    public static readonly Option<string> Root = Flags.StringWithDefault("--root",
        $"root directory for storage of container state (this should be located in tmpfs) (default: \"{GlobalOptions.DefaultRoot}\")",
        GlobalOptions.DefaultRoot);
    public static readonly Option<string> Criu = Flags.StringWithDefault("--criu", "path to the criu binary used for checkpoint and restore (default: \"criu\")", "criu");
    public static readonly Option<bool> SystemdCgroup = Flags.Bool("--systemd-cgroup",
        "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:runtime:434234\"");
    public static readonly Option<string> Rootless = Flags.StringWithDefault("--rootless", "ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")", "auto");
    public static readonly Option<bool> Version = Flags.Bool("--version", "print the version", "-v");
    // A plain flag rather than System.CommandLine's HelpOption, whose constructor loads a localized resource
    // (0.2 ms on every start); recursive so every command's help lists it.
    public static readonly Option<bool> Help = new("--help", "-h") { Description = "show help", Recursive = true };

    private const string About = """
        Open Container Initiative runtime

        runtime is a command line client for running applications packaged according to
        the Open Container Initiative (OCI) format and is a compliant implementation of the
        Open Container Initiative specification; a drop-in replacement for runc.

        Containers are configured using bundles. A bundle for a container is a directory
        that includes a specification file named "config.json" and a root filesystem.

        To start a new instance of a container:

            # runtime run [ -b bundle ] <container-id>
        """;

    /// <summary>The root command; subcommands are added as they are needed (see <see cref="CommandTable"/>).</summary>
    public static readonly Command RootCommand = new("runtime", About)
    {
        Debug, Log, LogFormat, Root, Criu, SystemdCgroup, Rootless, Help, Version,
    };

    /// <summary>Reads and checks the global flags; returns null and the error when one is unusable.</summary>
    public static GlobalOptions? Bind(ParseResult r, out string? error)
    {
        error = null;
        string format = r.GetValue(LogFormat) ?? "text";
        if (format is not ("text" or "json" or ""))
        {
            error = $"invalid log-format: {format}";
            return null;
        }

        string rootless = r.GetValue(Rootless) ?? "auto";
        if (rootless.Equals("auto", StringComparison.OrdinalIgnoreCase) || rootless == "")
            rootless = "auto";
        else if (GoValues.ParseBool(rootless) is { } b)
            rootless = b ? "true" : "false";
        else
        {
            error = $"invalid value {GoValues.Quote(rootless)} for flag -rootless: must be true, false or auto";
            return null;
        }

        string root = GlobalOptions.DefaultRoot;
        if (r.GetResult(Root) is { Implicit: false })
        {
            // Like runc: relative to the current directory, cleaned, and never "/" itself.
            string given = r.GetValue(Root) ?? "";
            root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(given.Length == 0 ? "." : given));
            if (root == "/")
            {
                error = "Option --root argument should not be set to /";
                return null;
            }
        }

        string? log = r.GetValue(Log);
        return new GlobalOptions(root, string.IsNullOrEmpty(log) ? null : log, format == "" ? "text" : format,
            r.GetValue(Debug), r.GetValue(SystemdCgroup), rootless, r.GetValue(Criu));
    }
}
