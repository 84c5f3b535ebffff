using System.Text;

namespace Runtime.Spec.Validation;

/// <summary>Small checks the area validators share.</summary>
internal static class Checks
{
    public static bool IsAbsolute(string? path) => path is { Length: > 0 } && path[0] == '/';

    public static bool HasNul(string? s) => s != null && s.Contains('\0');

    /// <summary>A JSON array of strings: null entries (JSON allows them, nothing downstream can use one)
    /// and NUL bytes (they would cut the string short at the kernel) are problems.</summary>
    public static void Strings(List<string>? list, string path, ValidationResult r)
    {
        if (list == null)
            return;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == null)
                r.Problem($"{path}[{i}]", "expected string, got null");
            else if (HasNul(list[i]))
                r.Problem($"{path}[{i}]", "contains a NUL byte");
        }
    }

    /// <summary>A string field that reaches the kernel as a C string.</summary>
    public static void NoNul(string? value, string path, ValidationResult r)
    {
        if (HasNul(value))
            r.Problem(path, "contains a NUL byte");
    }

    /// <summary>A value as JSON would write it, shortened when long: "\"CAP_FOO\"".</summary>
    public static string Quote(string? s)
    {
        if (s == null)
            return "null";
        const int max = 80;
        var sb = new StringBuilder(Math.Min(s.Length, max) + 2).Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            if (i == max)
            {
                sb.Append("...");
                break;
            }
            char c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The kernel's list syntax for CPUs and memory nodes: "0-3,7", "0-15:2/4" (bitmap_parselist).</summary>
    public static bool IsCpuList(string s)
    {
        if (s.Length == 0)
            return false;
        foreach (var item in s.Split(','))
        {
            var span = item.AsSpan();
            int colon = span.IndexOf(':');
            var range = colon >= 0 ? span[..colon] : span;
            if (colon >= 0)
            {
                var stride = span[(colon + 1)..];
                int slash = stride.IndexOf('/');
                if (slash < 0 || !Digits(stride[..slash], out ulong used) || !Digits(stride[(slash + 1)..], out ulong group)
                    || used == 0 || used > group)
                    return false;
            }
            int dash = range.IndexOf('-');
            if (dash < 0)
            {
                if (colon >= 0 || !Digits(range, out _))
                    return false;
            }
            else if (!Digits(range[..dash], out ulong lo) || !Digits(range[(dash + 1)..], out ulong hi) || lo > hi)
                return false;
        }
        return true;
    }

    /// <summary>How many entries a valid list names ("0-3,7" is 5).</summary>
    public static ulong CpuListCount(string s)
    {
        ulong n = 0;
        foreach (var item in s.Split(','))
        {
            var range = item.Split(':')[0];
            int dash = range.IndexOf('-');
            if (dash < 0)
                n++;
            else
                n += ulong.Parse(range[(dash + 1)..]) - ulong.Parse(range[..dash]) + 1;
        }
        return n;
    }

    private static bool Digits(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        foreach (char c in s)
            if (!char.IsAsciiDigit(c))
                return false;
        return s.Length > 0 && ulong.TryParse(s, out value);
    }

    /// <summary>Where a field can point for a missing namespace: ` (add {"type": "uts"} to linux.namespaces)`.</summary>
    public static string AddNamespace(string type) => $"(add {{\"type\": \"{type}\"}} to linux.namespaces)";
}
