using System.Runtime.InteropServices;

namespace Runtime.Linux;

// Users, groups, capabilities, rlimits and other per-process attributes the init sets before exec.
internal static unsafe partial class Libc
{
    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private const long SYS_capget = 125, SYS_capset = 126, SYS_keyctl = 250, SYS_setgroups = 116, SYS_setresuid = 117,
        SYS_setresgid = 119;

    [StructLayout(LayoutKind.Sequential)]
    public struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong Cur;
        public ulong Max;
    }

    // Raw syscalls, not glibc's wrappers: glibc broadcasts set*id to every thread of the process, and
    // only the thread that execs matters; the raw calls act on this thread alone, like runc's Go init.
    public static int SetresuidThread(uint r, uint e, uint s) => (int)Syscall((nint)SYS_setresuid, (nint)r, (nint)e, (nint)s, 0, 0, 0);
    public static int SetresgidThread(uint r, uint e, uint s) => (int)Syscall((nint)SYS_setresgid, (nint)r, (nint)e, (nint)s, 0, 0, 0);

    public static int SetgroupsThread(uint[] groups)
    {
        fixed (uint* p = groups)
            return (int)Syscall((nint)SYS_setgroups, groups.Length, (nint)p, 0, 0, 0, 0);
    }

    public static int Capget(CapHeader* header, CapData* data) => (int)Syscall((nint)SYS_capget, (nint)header, (nint)data, 0, 0, 0, 0);
    public static int Capset(CapHeader* header, CapData* data) => (int)Syscall((nint)SYS_capset, (nint)header, (nint)data, 0, 0, 0, 0);

    public static int Keyctl(int cmd, nint arg2) => (int)Syscall((nint)SYS_keyctl, cmd, arg2, 0, 0, 0, 0);

    [LibraryImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    public static partial int Prlimit(int pid, int resource, Rlimit* newLimit, Rlimit* oldLimit);

    [LibraryImport("libc", EntryPoint = "personality", SetLastError = true)]
    public static partial int Personality(ulong persona);
}
