namespace Runtime.Process;

/// <summary>
/// Linux capability names (as the spec writes them, "CAP_CHOWN") and numbers (capability.h), both ways,
/// and the host's highest capability. Validation refuses names not in this table; the init skips known
/// names above <see cref="LastCap"/>, which is what runc does ("ignoring unknown or unavailable capabilities").
/// </summary>
public static class Capabilities
{
    /// <summary>Index = capability number (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40).</summary>
    public static readonly string[] Names =
    {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    };

    /// <summary>The highest capability number this table knows.</summary>
    public static int MaxKnown => Names.Length - 1;

    private static readonly Dictionary<string, int> Numbers = BuildNumbers();

    private static Dictionary<string, int> BuildNumbers()
    {
        var d = new Dictionary<string, int>(Names.Length, StringComparer.Ordinal);
        for (int i = 0; i < Names.Length; i++)
            d[Names[i]] = i;
        return d;
    }

    /// <summary>The number of a capability name, exact and case-sensitive like runc; null when unknown.</summary>
    public static int? ByName(string? name) => name != null && Numbers.TryGetValue(name, out int n) ? n : null;

    /// <summary>The name of a capability number; null when the table does not know it.</summary>
    public static string? NameOf(int number) => number >= 0 && number < Names.Length ? Names[number] : null;

    private static int? _lastCap;

    /// <summary>The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap), read once;
    /// our table's last when the file cannot be read (kernels before 3.2).</summary>
    public static int LastCap => _lastCap ??= ParseLastCap(ReadLastCapFile());

    private static string? ReadLastCapFile()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/cap_last_cap");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static int ParseLastCap(string? text) =>
        int.TryParse(text?.Trim(), out int n) && n >= 0 ? n : MaxKnown;

    /// <summary>Whether this kernel has the capability (known to us and at most <see cref="LastCap"/>).</summary>
    public static bool IsOnHost(int number) => number >= 0 && number <= LastCap;
}
