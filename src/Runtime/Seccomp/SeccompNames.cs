using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>The spec's seccomp vocabulary (config-linux.md, as of libseccomp 2.6) mapped to kernel and
/// libseccomp values. Names outside these tables are errors naming the field.</summary>
internal static class SeccompNames
{
    /// <summary>Action name → SECCOMP_RET_* base value (errno/trace data is or-ed in by the compiler).</summary>
    public static readonly IReadOnlyDictionary<string, uint> Actions = new Dictionary<string, uint>
    {
        ["SCMP_ACT_KILL"] = Libc.SECCOMP_RET_KILL_THREAD, // libseccomp's SCMP_ACT_KILL is KILL_THREAD
        ["SCMP_ACT_KILL_PROCESS"] = Libc.SECCOMP_RET_KILL_PROCESS,
        ["SCMP_ACT_KILL_THREAD"] = Libc.SECCOMP_RET_KILL_THREAD,
        ["SCMP_ACT_TRAP"] = Libc.SECCOMP_RET_TRAP,
        ["SCMP_ACT_ERRNO"] = Libc.SECCOMP_RET_ERRNO,
        ["SCMP_ACT_TRACE"] = Libc.SECCOMP_RET_TRACE,
        ["SCMP_ACT_ALLOW"] = Libc.SECCOMP_RET_ALLOW,
        ["SCMP_ACT_LOG"] = Libc.SECCOMP_RET_LOG,
        ["SCMP_ACT_NOTIFY"] = Libc.SECCOMP_RET_USER_NOTIF,
    };

    /// <summary>Operator name → libseccomp's enum scmp_compare.</summary>
    public static readonly IReadOnlyDictionary<string, int> Operators = new Dictionary<string, int>
    {
        ["SCMP_CMP_NE"] = 1, ["SCMP_CMP_LT"] = 2, ["SCMP_CMP_LE"] = 3, ["SCMP_CMP_EQ"] = 4,
        ["SCMP_CMP_GE"] = 5, ["SCMP_CMP_GT"] = 6, ["SCMP_CMP_MASKED_EQ"] = 7,
    };

    /// <summary>Architecture name → the name libseccomp's seccomp_arch_resolve_name knows it by.
    /// Whether the installed libseccomp supports one is asked at run time (SCMP_ARCH_M68K, SH and
    /// LOONGARCH64 need libseccomp 2.6).</summary>
    public static readonly IReadOnlyDictionary<string, string> Architectures = new Dictionary<string, string>
    {
        ["SCMP_ARCH_X86"] = "x86", ["SCMP_ARCH_X86_64"] = "x86_64", ["SCMP_ARCH_X32"] = "x32",
        ["SCMP_ARCH_ARM"] = "arm", ["SCMP_ARCH_AARCH64"] = "aarch64",
        ["SCMP_ARCH_MIPS"] = "mips", ["SCMP_ARCH_MIPS64"] = "mips64", ["SCMP_ARCH_MIPS64N32"] = "mips64n32",
        ["SCMP_ARCH_MIPSEL"] = "mipsel", ["SCMP_ARCH_MIPSEL64"] = "mipsel64", ["SCMP_ARCH_MIPSEL64N32"] = "mipsel64n32",
        ["SCMP_ARCH_PPC"] = "ppc", ["SCMP_ARCH_PPC64"] = "ppc64", ["SCMP_ARCH_PPC64LE"] = "ppc64le",
        ["SCMP_ARCH_S390"] = "s390", ["SCMP_ARCH_S390X"] = "s390x",
        ["SCMP_ARCH_PARISC"] = "parisc", ["SCMP_ARCH_PARISC64"] = "parisc64",
        ["SCMP_ARCH_RISCV64"] = "riscv64", ["SCMP_ARCH_LOONGARCH64"] = "loongarch64",
        ["SCMP_ARCH_M68K"] = "m68k", ["SCMP_ARCH_SH"] = "sh", ["SCMP_ARCH_SHEB"] = "sheb",
    };

    /// <summary>SECCOMP_FILTER_FLAG_TSYNC is accepted and not passed to the kernel, as runc does: the
    /// filter is loaded on the thread that execs, and execve ends every other thread anyway. (With
    /// TSYNC the runtime's own threads would be filtered, and TSYNC cannot be combined with a
    /// notify listener.)</summary>
    public const string FlagTsync = "SECCOMP_FILTER_FLAG_TSYNC";

    /// <summary>Flag name → seccomp(2) flag bit, in runc's order for `features`.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, uint>> Flags = new KeyValuePair<string, uint>[]
    {
        new(FlagTsync, 0),
        new("SECCOMP_FILTER_FLAG_SPEC_ALLOW", Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW),
        new("SECCOMP_FILTER_FLAG_LOG", Libc.SECCOMP_FILTER_FLAG_LOG),
        new("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", Libc.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
    };

    public static bool TryGetFlag(string name, out uint bit)
    {
        foreach (var (n, b) in Flags)
            if (n == name)
            {
                bit = b;
                return true;
            }
        bit = 0;
        return false;
    }

    /// <summary>Actions whose low 16 bits carry data (the errno, or the value a tracer sees).</summary>
    public static bool TakesErrno(uint action) => action is Libc.SECCOMP_RET_ERRNO or Libc.SECCOMP_RET_TRACE;
}
