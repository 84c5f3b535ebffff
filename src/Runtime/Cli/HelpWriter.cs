using System.CommandLine;
using System.Text;

namespace Runtime.Cli;

/// <summary>
/// Help in runc's (urfave/cli's) layout: NAME, USAGE, COMMANDS, OPTIONS, written from the System.CommandLine
/// definitions. Written here rather than with System.CommandLine's HelpAction, which brings terminal
/// handling and resource lookups into every start of the binary for a page of text.
/// </summary>
internal static class HelpWriter
{
    /// <param name="commands">The commands to list in the top-level help, in order.</param>
    public static string Text(Command root, Command? command, IEnumerable<Command> commands)
    {
        var sb = new StringBuilder(2048);
        var (summary, details) = Split((command ?? root).Description);
        sb.Append("NAME:\n   ").Append(command is null ? root.Name : $"{root.Name} {command.Name}").Append(" - ").Append(summary).Append("\n\n");
        sb.Append("USAGE:\n   ");
        if (command is null)
            sb.Append(root.Name).Append(" [global options] command [command options] [arguments...]\n");
        else
        {
            sb.Append(root.Name).Append(' ').Append(command.Name);
            if (command.Options.Count > 0)
                sb.Append(" [command options]");
            foreach (var a in command.Arguments)
                sb.Append(' ').Append(a.Arity.MinimumNumberOfValues > 0 ? $"<{a.Name}>" : $"[{a.Name}]")
                  .Append(a.Arity.MaximumNumberOfValues > 1 ? "..." : "");
            sb.Append('\n');
        }
        if (details.Length > 0)
            sb.Append("\nDESCRIPTION:\n").Append(Indent(details)).Append('\n');

        if (command is null)
        {
            sb.Append("\nCOMMANDS:\n");
            var rows = new List<(string, string)>();
            foreach (var c in commands)
                rows.Add((c.Name, Split(c.Description).Summary));
            rows.Add(("help, h", "Shows a list of commands or help for one command"));
            Table(sb, rows);
        }

        var options = new List<(string, string)>();
        foreach (var o in (command ?? root).Options)
            if (!o.Hidden)
                options.Add((Names(o), o.Description ?? ""));
        if (command != null)
            options.Add((Names(GlobalFlags.Help), GlobalFlags.Help.Description!));
        if (options.Count > 0)
        {
            sb.Append(command is null ? "\nGLOBAL OPTIONS:\n" : "\nOPTIONS:\n");
            Table(sb, options);
        }
        return sb.ToString();
    }

    // urfave/cli: "--bundle value, -b value" for a flag with a value, "--detach, -d" for a boolean.
    private static string Names(Option o)
    {
        string suffix = o is Option<bool> ? "" : " value";
        var sb = new StringBuilder(o.Name).Append(suffix);
        foreach (var alias in o.Aliases)
            sb.Append(", ").Append(alias).Append(suffix);
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, List<(string Left, string Right)> rows)
    {
        int width = 0;
        foreach (var (left, _) in rows)
            width = Math.Max(width, left.Length);
        foreach (var (left, right) in rows)
            sb.Append("   ").Append(left.PadRight(width)).Append("  ").Append(right).Append('\n');
    }

    private static (string Summary, string Details) Split(string? description)
    {
        description ??= "";
        int nl = description.IndexOf('\n');
        return nl < 0 ? (description, "") : (description[..nl], description[(nl + 1)..].Trim('\n'));
    }

    private static string Indent(string text) =>
        string.Join('\n', Array.ConvertAll(text.Split('\n'), line => line.Length == 0 ? line : "   " + line));
}
