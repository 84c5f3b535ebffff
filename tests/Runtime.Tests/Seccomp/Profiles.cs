using System.Text.Json;
using Runtime.Spec;

namespace Runtime.Tests.Seccomp;

/// <summary>Test profiles written as the linux.seccomp JSON a caller sends, and the x86_64 numbers
/// they are checked against (arch/x86/entry/syscalls/syscall_64.tbl).</summary>
internal static class Profiles
{
    public const int Read = 0, Write = 1, Uname = 63, Getcwd = 79, Mkdir = 83, Chmod = 90, Personality = 135,
        Getpriority = 140, Mkdirat = 258, Clone3 = 435;
    public const int I386Getcwd = 183, I386Mkdir = 39, S390XGetcwd = 183;

    // SECCOMP_RET_* as the kernel's uapi header has them.
    public const uint KillProcess = 0x80000000, KillThread = 0, Trap = 0x00030000, Errno = 0x00050000,
        Notify = 0x7fc00000, Trace = 0x7ff00000, Log = 0x7ffc0000, Allow = 0x7fff0000;
    public const uint EPERM = 1, ENOSYS = 38;

    /// <summary>The x86_64 name of syscall <paramref name="nr"/>, from the kernel headers' unistd_64.h.</summary>
    public static string? X86_64Name(int nr) => X86_64Names.Value.TryGetValue(nr, out var n) ? n : null;

    public static IReadOnlyDictionary<int, string> AllX86_64Syscalls => X86_64Names.Value;

    private static readonly Lazy<Dictionary<int, string>> X86_64Names = new(() =>
    {
        var map = new Dictionary<int, string>();
        foreach (var line in File.ReadLines("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "#define" && parts[1].StartsWith("__NR_") && int.TryParse(parts[2], out int nr))
                map[nr] = parts[1][5..];
        }
        return map;
    });

    public static LinuxSeccomp Parse(string seccompJson)
    {
        var spec = JsonSerializer.Deserialize("{\"linux\":{\"seccomp\":" + seccompJson + "}}", SpecJsonContext.Default.Spec)!;
        return spec.Linux!.Seccomp!;
    }
}
