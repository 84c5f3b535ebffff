namespace Runtime.Spec;

/// <summary>A SemVer 2.0.0 version (ociVersion "MUST be in SemVer v2.0.0 format"), ordered by its rules.</summary>
public readonly record struct SemVer(ulong Major, ulong Minor, ulong Patch, string Prerelease) : IComparable<SemVer>
{
    public static bool TryParse(string? text, out SemVer version)
    {
        version = default;
        if (string.IsNullOrEmpty(text))
            return false;
        int plus = text.IndexOf('+');
        string core = plus >= 0 ? text[..plus] : text;
        if (plus >= 0 && !Identifiers(text[(plus + 1)..], numericLeadingZerosAllowed: true))
            return false;
        int dash = core.IndexOf('-');
        string prerelease = dash >= 0 ? core[(dash + 1)..] : "";
        if (dash >= 0 && !Identifiers(prerelease, numericLeadingZerosAllowed: false))
            return false;
        var parts = (dash >= 0 ? core[..dash] : core).Split('.');
        if (parts.Length != 3 || !Number(parts[0], out ulong major) || !Number(parts[1], out ulong minor) || !Number(parts[2], out ulong patch))
            return false;
        version = new SemVer(major, minor, patch, prerelease);
        return true;
    }

    private static bool Number(string s, out ulong value)
    {
        value = 0;
        return s.Length > 0 && (s.Length == 1 || s[0] != '0') && s.All(char.IsAsciiDigit) && ulong.TryParse(s, out value);
    }

    private static bool Identifiers(string s, bool numericLeadingZerosAllowed)
    {
        foreach (var id in s.Split('.'))
        {
            if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                return false;
            if (!numericLeadingZerosAllowed && id.Length > 1 && id[0] == '0' && id.All(char.IsAsciiDigit))
                return false;
        }
        return true;
    }

    public int CompareTo(SemVer other)
    {
        int c = Major.CompareTo(other.Major);
        if (c == 0) c = Minor.CompareTo(other.Minor);
        if (c == 0) c = Patch.CompareTo(other.Patch);
        if (c != 0) return c;
        // A pre-release sorts before its release; identifiers compare numerically or by ASCII, fewer first.
        if (Prerelease.Length == 0 || other.Prerelease.Length == 0)
            return other.Prerelease.Length.CompareTo(Prerelease.Length) switch { 0 => 0, var x => Math.Sign(x) };
        var a = Prerelease.Split('.');
        var b = other.Prerelease.Split('.');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            bool an = ulong.TryParse(a[i], out ulong ai) && a[i].All(char.IsAsciiDigit);
            bool bn = ulong.TryParse(b[i], out ulong bi) && b[i].All(char.IsAsciiDigit);
            c = (an, bn) switch
            {
                (true, true) => ai.CompareTo(bi),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(a[i], b[i]),
            };
            if (c != 0) return Math.Sign(c);
        }
        return a.Length.CompareTo(b.Length);
    }

    public override string ToString() => Prerelease.Length == 0 ? $"{Major}.{Minor}.{Patch}" : $"{Major}.{Minor}.{Patch}-{Prerelease}";
}
