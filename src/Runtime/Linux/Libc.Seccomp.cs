using System.Runtime.InteropServices;

namespace Runtime.Linux;

// seccomp(2) and libseccomp.
//
// libseccomp is used only by the parent to compile a profile into classic BPF; the init loads the
// bytes with the raw seccomp(2) syscall, so it never needs the library inside the container's
// mount namespace. libseccomp is NOT a DirectPInvoke library: the AOT compiler emits a lazy
// dlopen("libseccomp.so.2") on the first call, so the binary starts (and runs containers without
// seccomp) on a host that lacks it. Callers check Libseccomp.IsAvailable first for a clear error.
internal static unsafe partial class Libc
{
    public const string LibseccompSo = "libseccomp.so.2";

    public const long SYS_seccomp = 317, SYS_pidfd_getfd = 438;
    public const int SECCOMP_SET_MODE_FILTER = 1, SECCOMP_GET_ACTION_AVAIL = 2, SECCOMP_GET_NOTIF_SIZES = 3;
    public const uint SECCOMP_FILTER_FLAG_TSYNC = 1, SECCOMP_FILTER_FLAG_LOG = 2, SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4,
        SECCOMP_FILTER_FLAG_NEW_LISTENER = 8, SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 16, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 32;
    public const uint SECCOMP_RET_KILL_PROCESS = 0x80000000, SECCOMP_RET_KILL_THREAD = 0, SECCOMP_RET_TRAP = 0x00030000,
        SECCOMP_RET_ERRNO = 0x00050000, SECCOMP_RET_USER_NOTIF = 0x7fc00000, SECCOMP_RET_TRACE = 0x7ff00000,
        SECCOMP_RET_LOG = 0x7ffc0000, SECCOMP_RET_ALLOW = 0x7fff0000, SECCOMP_RET_DATA = 0x0000ffff;
    /// <summary>The kernel's BPF_MAXINSNS: the longest program seccomp(2) accepts.</summary>
    public const int BPF_MAXINSNS = 4096;

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFilter
    {
        public ushort Code;
        public byte Jt;
        public byte Jf;
        public uint K;
    }

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Len;
        public SockFilter* Filter;
    }

    /// <summary>libseccomp's struct scmp_arg_cmp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ScmpArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    /// <summary>libseccomp's struct scmp_version.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ScmpVersion
    {
        public uint Major, Minor, Micro;
    }

    /// <summary>seccomp(op, flags, args): the raw syscall (glibc has no wrapper).</summary>
    public static int Seccomp(int op, uint flags, void* args) => (int)Syscall((nint)SYS_seccomp, op, (nint)flags, (nint)args, 0, 0, 0);

    /// <summary>pidfd_getfd(2): a copy of another process's fd (close-on-exec).</summary>
    public static int PidfdGetfd(int pidfd, int targetFd) => (int)Syscall((nint)SYS_pidfd_getfd, pidfd, targetFd, 0, 0, 0, 0);

    // ---- libseccomp (lazily bound; see the note at the top)

    public const uint SCMP_FLTATR_CTL_NNP = 3, SCMP_FLTATR_CTL_OPTIMIZE = 8;

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_version")]
    public static partial ScmpVersion* ScmpGetVersion();

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_init")]
    public static partial nint ScmpInit(uint defaultAction);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_release")]
    public static partial void ScmpRelease(nint ctx);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_arch_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint ScmpArchResolveName(string name);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_arch_native")]
    public static partial uint ScmpArchNative();

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_arch_add")]
    public static partial int ScmpArchAdd(nint ctx, uint archToken);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_attr_set")]
    public static partial int ScmpAttrSet(nint ctx, uint attr, uint value);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ScmpSyscallResolveName(string name);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_syscall_resolve_name_arch", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ScmpSyscallResolveNameArch(uint archToken, string name);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_rule_add_array")]
    public static partial int ScmpRuleAddArray(nint ctx, uint action, int syscall, uint argCount, ScmpArgCmp* args);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_export_bpf")]
    public static partial int ScmpExportBpf(nint ctx, int fd);

    [LibraryImport(LibseccompSo, EntryPoint = "seccomp_export_pfc")]
    public static partial int ScmpExportPfc(nint ctx, int fd);
}
