namespace Runtime.Container;

/// <summary>Signal names as `kill` accepts them: KILL, SIGKILL or 9.</summary>
internal static class Signals
{
    private static readonly string[] Names =
    {
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
        "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    public static int Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return 15;
        if (int.TryParse(text, out int n))
            return n is > 0 and <= 64 ? n : throw new RuntimeException($"invalid signal number {text}");
        var name = text.ToUpperInvariant();
        if (name.StartsWith("SIG")) name = name[3..];
        if (name == "IOT") return 6;
        if (name == "POLL") return 29;
        int i = Array.IndexOf(Names, name);
        if (i > 0) return i;
        if (name.StartsWith("RTMIN") || name.StartsWith("RTMAX"))
        {
            int baseSig = name.StartsWith("RTMIN") ? 34 : 64;
            var rest = name[5..];
            if (rest.Length == 0) return baseSig;
            if (int.TryParse(rest, out int off) && baseSig + off is >= 34 and <= 64) return baseSig + off;
        }
        throw new RuntimeException($"unknown signal \"{text}\"");
    }
}
