using System.Globalization;

namespace Runtime.Cli;

/// <summary>
/// The value syntaxes runc's flags accept, as Go's flag/strconv/time packages and docker's go-units define
/// them, so a command line that works with runc means the same here. Each parser returns null and sets
/// <c>error</c> (the cause only; callers add the flag name) on bad input.
/// </summary>
internal static class GoValues
{
    /// <summary>strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.</summary>
    public static bool? ParseBool(string s) => s switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    /// <summary>
    /// strconv.ParseInt(s, 0, 64) as Go's flag.Int uses it: optional sign, 0x/0o/0b or leading-0 octal
    /// prefixes, "_" between digits. Error: "parse error" or "value out of range" (Go's flag wording).
    /// </summary>
    public static long? ParseInt(string s, out string? error)
    {
        error = "parse error";
        string digits = s;
        bool neg = false;
        if (digits.Length > 0 && digits[0] is '+' or '-')
        {
            neg = digits[0] == '-';
            digits = digits[1..];
        }
        if (digits.Length == 0)
            return null;
        int numBase = 10;
        if (digits[0] == '0')
        {
            char p = digits.Length >= 3 ? char.ToLowerInvariant(digits[1]) : ' ';
            (numBase, digits) = p switch
            {
                'b' => (2, digits[2..]),
                'o' => (8, digits[2..]),
                'x' => (16, digits[2..]),
                _ => (8, digits[1..]),
            };
        }
        ulong magnitude = 0;
        bool underscores = false, overflow = false;
        foreach (char c in digits)
        {
            if (c == '_')
            {
                underscores = true;
                continue;
            }
            int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (d >= numBase)
                return null;
            if (magnitude > (ulong.MaxValue - (ulong)d) / (ulong)numBase)
                overflow = true;
            else
                magnitude = magnitude * (ulong)numBase + (ulong)d;
        }
        if (underscores && !UnderscoresOk(s))
            return null;
        if (overflow || magnitude > (neg ? 1UL << 63 : long.MaxValue))
        {
            error = "value out of range";
            return null;
        }
        error = null;
        return neg ? (long)(0 - magnitude) : (long)magnitude;
    }

    // strconv's underscoreOK: "_" only between digits (a base prefix counts as a digit).
    private static bool UnderscoresOk(string s)
    {
        char saw = '^';
        int i = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        bool hex = false;
        if (s.Length - i >= 2 && s[i] == '0' && char.ToLowerInvariant(s[i + 1]) is 'b' or 'o' or 'x')
        {
            hex = char.ToLowerInvariant(s[i + 1]) == 'x';
            i += 2;
            saw = '0';
        }
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsAsciiDigit(c) || hex && char.IsAsciiHexDigit(c))
                saw = '0';
            else if (c == '_')
            {
                if (saw != '0')
                    return false;
                saw = '_';
            }
            else
            {
                if (saw == '_')
                    return false;
                saw = '!';
            }
        }
        return saw != '_';
    }

    /// <summary>strconv.ParseInt(s, 10, 64) / ParseUint(s, 10, 64): plain decimal, with a cause on failure.</summary>
    public static long? ParseDecimal(string s, out string? error)
    {
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
        {
            error = null;
            return v;
        }
        error = IsSignedDigits(s) ? $"{s} is out of range" : $"{Quote(s)} is not an integer";
        return null;
    }

    public static ulong? ParseUnsignedDecimal(string s, out string? error)
    {
        if (s.Length > 0 && s[0] != '-' && ulong.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ulong v))
        {
            error = null;
            return v;
        }
        error = IsSignedDigits(s) && s[0] != '-' ? $"{s} is out of range" : $"{Quote(s)} is not an unsigned integer";
        return null;
    }

    private static bool IsSignedDigits(string s)
    {
        int i = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        if (i >= s.Length)
            return false;
        for (; i < s.Length; i++)
            if (!char.IsAsciiDigit(s[i]))
                return false;
        return true;
    }

    /// <summary>
    /// time.ParseDuration: a possibly signed sequence of decimal numbers with optional fraction and a unit
    /// each (ns, us, µs, ms, s, m, h), e.g. "300ms", "1m30s", "1.5h"; a bare "0" is allowed. Integer
    /// arithmetic in nanoseconds like Go's, so the limit is the same (about 292 years).
    /// </summary>
    public static TimeSpan? ParseDuration(string s, out string? error)
    {
        error = $"invalid duration {Quote(s)}";
        int i = 0;
        bool neg = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            i = 1;
        }
        if (s.Length - i == 1 && s[i] == '0')
        {
            error = null;
            return TimeSpan.Zero;
        }
        if (i >= s.Length)
            return null;
        ulong totalNs = 0;
        while (i < s.Length)
        {
            if (!ReadDecimal(s, ref i, out ulong whole, out ulong frac, out ulong fracScale))
                return null;
            int unitStart = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
                i++;
            if (unitStart == i)
            {
                error = $"missing unit in duration {Quote(s)}";
                return null;
            }
            ulong unit = s[unitStart..i] switch
            {
                "ns" => 1,
                "us" or "\u00b5s" or "\u03bcs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                _ => 0,
            };
            if (unit == 0)
            {
                error = $"unknown unit {Quote(s[unitStart..i])} in duration {Quote(s)}";
                return null;
            }
            if (whole > (ulong)long.MaxValue / unit)
                return null;
            ulong ns = whole * unit + (ulong)(frac * ((double)unit / fracScale));
            totalNs += ns;
            if (totalNs > (ulong)long.MaxValue)
                return null;
        }
        error = null;
        long ticks = (long)(totalNs / 100);
        return TimeSpan.FromTicks(neg ? -ticks : ticks);
    }

    /// <summary>
    /// go-units RAMInBytes, as runc's update takes memory values: a decimal number, an optional space,
    /// then an optional k/m/g/t/p (powers of 1024), optional "i", optional "b": 512m, 1g, 1.5GiB, 4096.
    /// </summary>
    public static long? ParseRamSize(string s, out string? error)
    {
        error = $"invalid size: '{s}'";
        int i = 0;
        if (s.Length == 0 || !char.IsAsciiDigit(s[0]) || !ReadDecimal(s, ref i, out ulong whole, out ulong frac, out ulong fracScale)
            || s[i - 1] == '.')
            return null;
        if (i < s.Length && s[i] == ' ')
            i++;
        int shift = 0;
        if (i < s.Length)
        {
            shift = char.ToLowerInvariant(s[i]) switch { 'k' => 10, 'm' => 20, 'g' => 30, 't' => 40, 'p' => 50, _ => 0 };
            if (shift > 0)
                i++;
        }
        if (i < s.Length && s[i] is 'i' or 'I')
            i++;
        if (i < s.Length && s[i] is 'b' or 'B')
            i++;
        if (i != s.Length)
            return null;
        ulong multiplier = 1UL << shift;
        if (whole > (ulong)long.MaxValue >> shift)
        {
            error = $"size out of range: '{s}'";
            return null;
        }
        ulong bytes = whole * multiplier + (ulong)(frac * ((double)multiplier / fracScale));
        if (bytes > long.MaxValue)
        {
            error = $"size out of range: '{s}'";
            return null;
        }
        error = null;
        return (long)bytes;
    }

    // digits [ "." digits ]: at least one digit somewhere; the fraction as frac/fracScale (digits past 18 dropped).
    private static bool ReadDecimal(string s, ref int i, out ulong whole, out ulong frac, out ulong fracScale)
    {
        whole = 0;
        frac = 0;
        fracScale = 1;
        int start = i;
        bool overflow = false;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            if (whole > (ulong.MaxValue - 9) / 10)
                overflow = true;
            else
                whole = whole * 10 + (ulong)(s[i] - '0');
            i++;
        }
        bool digits = i > start;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (fracScale < 1_000_000_000_000_000_000)
                {
                    frac = frac * 10 + (ulong)(s[i] - '0');
                    fracScale *= 10;
                }
                digits = true;
                i++;
            }
        }
        if (overflow)
            whole = ulong.MaxValue;
        return digits;
    }

    /// <summary>Go's %q for the simple strings flags carry.</summary>
    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
