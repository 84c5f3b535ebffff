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

    public static LinuxSeccomp Parse(string seccompJson)
    {
        var spec = JsonSerializer.Deserialize("{\"linux\":{\"seccomp\":" + seccompJson + "}}", SpecJsonContext.Default.Spec)!;
        return spec.Linux!.Seccomp!;
    }
}
