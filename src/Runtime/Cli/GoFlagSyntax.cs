using System.CommandLine;

namespace Runtime.Cli;

/// <summary>
/// runc's command-line grammar is Go's flag package under urfave/cli v1, which System.CommandLine does not
/// speak: <c>-flag</c> and <c>--flag</c> are the same, <c>-name=value</c> and <c>-name value</c> both set a value,
/// a boolean takes a value only as <c>-flag=false</c> (1, t, TRUE, 0, f, False… too), global flags come only
/// before the command, and <c>exec</c>/<c>ps</c> stop reading flags at the first argument, so
/// <c>exec ID sh -c 'ls -l'</c> passes <c>-c</c> to sh. This class reads one level (global or one command) of
/// flags with those rules and re-emits them in System.CommandLine's unambiguous form
/// (<c>--name value</c>, then <c>--</c> and the positional arguments), which then types and validates them.
/// </summary>
internal static class GoFlagSyntax
{
    /// <summary>The flags one level accepts, under every name Go accepts (name and alias, one or two dashes).</summary>
    internal sealed class FlagSet
    {
        private readonly Dictionary<string, Option> _byName = new(StringComparer.Ordinal);

        public FlagSet(IEnumerable<Option> options)
        {
            foreach (var option in options)
            {
                _byName[option.Name.TrimStart('-')] = option;
                foreach (var alias in option.Aliases)
                    _byName[alias.TrimStart('-')] = option;
            }
        }

        public bool TryGet(string name, out Option option) => _byName.TryGetValue(name, out option!);
    }

    /// <summary>Raw values per flag in command-line order; booleans already as "true"/"false".</summary>
    internal sealed class FlagValues
    {
        private readonly Dictionary<Option, List<string>> _values = new();

        public void Add(Option option, string value)
        {
            if (!_values.TryGetValue(option, out var list))
                _values[option] = list = new List<string>(1);
            list.Add(value);
        }

        /// <summary>Whether a boolean flag ended up true (Go: the last occurrence wins).</summary>
        public bool IsTrue(Option option) => _values.TryGetValue(option, out var list) && list[^1] == "true";

        /// <summary>
        /// Appends the canonical tokens: repeatable flags once per value, others once with the last value
        /// (Go's "last wins"; System.CommandLine would reject a repeat). A value starting with '-' is glued on
        /// with '=' so it can never be read as a flag or as the "--" separator.
        /// </summary>
        public void EmitTo(List<string> tokens)
        {
            foreach (var (option, list) in _values)
            {
                if (option == GlobalFlags.Help)
                    continue;
                bool repeatable = option.Arity.MaximumNumberOfValues > 1;
                for (int i = repeatable ? 0 : list.Count - 1; i < list.Count; i++)
                {
                    string value = list[i];
                    if (value.StartsWith('-'))
                        tokens.Add(option.Name + "=" + value);
                    else
                    {
                        tokens.Add(option.Name);
                        tokens.Add(value);
                    }
                }
            }
        }
    }

    public static bool IsBool(Option option) => option is Option<bool>;

    /// <summary>
    /// Reads flags from <paramref name="args"/> starting at <paramref name="i"/>. With <paramref name="permute"/>
    /// false (Go's flag.Parse: global flags, exec, ps) it stops at the first argument that is not a flag and
    /// leaves <paramref name="i"/> there; a "--" is consumed and also stops. With <paramref name="permute"/> true
    /// (urfave/cli moves a command's flags before its arguments), flags and arguments may be mixed, arguments
    /// go to <paramref name="positionals"/>, and everything after "--" is an argument. Returns Go's error
    /// message for a bad flag, or null.
    /// </summary>
    public static string? Parse(FlagSet set, IReadOnlyList<string> args, ref int i, bool permute, FlagValues values, List<string>? positionals)
    {
        while (i < args.Count)
        {
            string s = args[i];
            if (s == "--")
            {
                i++;
                if (permute)
                {
                    while (i < args.Count)
                        positionals!.Add(args[i++]);
                }
                return null;
            }
            if (s.Length < 2 || s[0] != '-')
            {
                if (!permute)
                    return null;
                positionals!.Add(s);
                i++;
                continue;
            }

            string name = s[(s[1] == '-' ? 2 : 1)..];
            if (name.Length == 0 || name[0] == '-' || name[0] == '=')
                return $"bad flag syntax: {s}";
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (!set.TryGet(name, out var option))
                return $"flag provided but not defined: -{name}";

            if (IsBool(option))
            {
                if (value is null)
                    value = "true";
                else if (GoValues.ParseBool(value) is { } b)
                    value = b ? "true" : "false";
                else
                    return $"invalid boolean value {GoValues.Quote(value)} for -{name}: parse error";
            }
            else if (value is null)
            {
                if (i + 1 >= args.Count)
                    return $"flag needs an argument: -{name}";
                value = args[++i];
            }
            values.Add(option, value);
            i++;
        }
        return null;
    }
}
