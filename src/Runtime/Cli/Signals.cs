using System.Globalization;

namespace Runtime.Cli;

/// <summary>
/// Signal names and numbers as `kill` takes them: a number ("9"), a name with or without the SIG prefix in
/// any case ("KILL", "sigkill"), like runc; also "RTMIN+n"/"RTMAX-n" as kill(1) and crun take them.
/// Numbers are Linux's (x86-64, arm64, …; SIGRTMIN is 34 as glibc reserves 32 and 33).
/// </summary>
internal static class Signals
{
    public const int SIGTERM = 15, SIGRTMIN = 34, SIGRTMAX = 64;

    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>The signal number, or null when <paramref name="raw"/> names no signal.</summary>
    public static int? Parse(string raw)
    {
        if (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
            return n is >= 0 and <= SIGRTMAX ? n : null;
        string sig = raw.ToUpperInvariant();
        if (!sig.StartsWith("SIG", StringComparison.Ordinal))
            sig = "SIG" + sig;
        int i = Array.IndexOf(Names, sig);
        if (i > 0)
            return i;
        switch (sig)
        {
            case "SIGIOT": return 6;
            case "SIGCLD": return 17;
            case "SIGPOLL": return 29;
            case "SIGRTMIN": return SIGRTMIN;
            case "SIGRTMAX": return SIGRTMAX;
        }
        if (sig.StartsWith("SIGRTMIN+", StringComparison.Ordinal) && Offset(sig[9..]) is { } up && SIGRTMIN + up <= SIGRTMAX)
            return SIGRTMIN + up;
        if (sig.StartsWith("SIGRTMAX-", StringComparison.Ordinal) && Offset(sig[9..]) is { } down && SIGRTMAX - down >= SIGRTMIN)
            return SIGRTMAX - down;
        return null;
    }

    private static int? Offset(string s) =>
        s.Length > 0 && char.IsAsciiDigit(s[0]) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : null;
}
