using System.CommandLine;
using System.CommandLine.Parsing;

namespace Runtime.Cli;

/// <summary>
/// Factories for the kinds of flags runc has, each parsing its value with Go's syntax and reporting a bad
/// value in Go's flag wording (<c>invalid value "x" for flag -preserve-fds: parse error</c>), and the
/// flags several commands share, defined once.
/// </summary>
internal static class Flags
{
    public static Option<bool> Bool(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description };

    public static Option<string?> String(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = "value" };

    public static Option<string> StringWithDefault(string name, string description, string defaultValue) =>
        new(name) { Description = description, HelpName = "value", DefaultValueFactory = _ => defaultValue };

    /// <summary>A repeatable flag (Go's StringSlice): every occurrence adds one value.</summary>
    public static Option<string[]> Strings(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = "value", DefaultValueFactory = _ => [] };

    /// <summary>flag.Int: Go integer syntax (0x.., 0o.., 1_000), must fit an int and be at least <paramref name="min"/>.</summary>
    public static Option<int> Int(string name, string description, int defaultValue = 0, int min = int.MinValue) =>
        new(name) { Description = description, HelpName = "value", DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseInt(r, name, min) };

    /// <summary>flag.Int without a default: null when the flag is absent.</summary>
    public static Option<long?> OptionalInt(string name, string description) =>
        new(name) { Description = description, HelpName = "value", DefaultValueFactory = _ => null, CustomParser = r => ParseLong(r, name) };

    /// <summary>One of a fixed set of words; a wrong word names the choices.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, string[] choices, params string[] aliases) =>
        new(name, aliases)
        {
            Description = $"{description} (default: \"{defaultValue}\")",
            HelpName = "value",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => Array.IndexOf(choices, Value(r)) >= 0 ? Value(r)
                : Fail<string>(r, name, $"must be one of {string.Join(", ", choices)}"),
        };

    // ---- flags shared by several commands

    public static Option<string?> Bundle(string description = "path to the root of the bundle directory, defaults to the current directory") =>
        String("--bundle", description, "-b");

    public static Option<string?> ConsoleSocket() => String("--console-socket",
        "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal");

    public static Option<string?> PidFile() => String("--pid-file", "specify the file to write the process id to");

    public static Option<bool> NoPivot() => Bool("--no-pivot",
        "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk");

    public static Option<bool> NoNewKeyring() => Bool("--no-new-keyring",
        "do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key");

    public static Option<int> PreserveFds() => Int("--preserve-fds",
        "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)", min: 0);

    public static Option<bool> Detach() => Bool("--detach", "detach from the container's process", "-d");

    public static Option<bool> NoSubreaper() => Bool("--no-subreaper", "disable the use of the subreaper used to reap reparented processes");

    public static Option<string[]> EmptyNs() => Strings("--empty-ns", "create a namespace, but don't restore its properties");

    public static Option<string?> ManageCgroupsMode() =>
        new("--manage-cgroups-mode")
        {
            Description = "cgroups mode: 'soft' (default), 'full' and 'strict'", HelpName = "value",
            CustomParser = r => Value(r) is "soft" or "full" or "strict" ? Value(r)
                : Fail<string?>(r, "--manage-cgroups-mode", "Invalid manage cgroups mode (soft, full or strict)"),
        };

    /// <summary>The container ID every per-container command takes (validated by the state store, not here).</summary>
    public static Argument<string> ContainerId() => new("container-id") { Description = "the name of the container instance" };

    // ---- value parsing

    public static string Value(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    /// <summary>Records Go's flag error for this value and yields a placeholder (the parse result then has an error).</summary>
    public static T Fail<T>(ArgumentResult r, string flag, string cause)
    {
        r.AddError($"invalid value {GoValues.Quote(Value(r))} for flag -{flag.TrimStart('-')}: {cause}");
        return default!;
    }

    private static int ParseInt(ArgumentResult r, string name, int min)
    {
        long? v = GoValues.ParseInt(Value(r), out string? error);
        if (v is null)
            return Fail<int>(r, name, error!);
        if (v < int.MinValue || v > int.MaxValue)
            return Fail<int>(r, name, "value out of range");
        if (v < min)
            return Fail<int>(r, name, min == 0 ? "must not be negative" : $"must be at least {min}");
        return (int)v;
    }

    private static long? ParseLong(ArgumentResult r, string name) =>
        GoValues.ParseInt(Value(r), out string? error) ?? Fail<long?>(r, name, error!);
}
