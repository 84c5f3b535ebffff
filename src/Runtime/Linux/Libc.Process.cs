using System.Runtime.InteropServices;

namespace Runtime.Linux;

// Process creation and tracking: posix_spawn (glibc runs only C in the child, so it is safe from a
// multi-threaded .NET process), memfd for the sealed self-exec, socketpair for the init channel, pidfds.
internal static unsafe partial class Libc
{
    public const int POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    public const int F_DUPFD = 0;
    public const long SYS_pidfd_send_signal = 424, SYS_pidfd_open = 434, SYS_close_range = 436;
    public const short POLLIN = 1;
    public const int PR_SET_CHILD_SUBREAPER = 36, PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4, PR_SET_KEEPCAPS = 8,
        PR_SET_NO_NEW_PRIVS = 38, PR_CAPBSET_DROP = 24, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2,
        PR_CAP_AMBIENT_CLEAR_ALL = 4, PR_SET_NAME = 15;

    /// <summary>Opaque glibc spawn structures (80 and 336 bytes on x86_64); over-allocated.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 128)] public struct SpawnFileActions { }
    [StructLayout(LayoutKind.Sequential, Size = 512)] public struct SpawnAttr { }
    [StructLayout(LayoutKind.Sequential, Size = 128)] public struct SigSet { }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn", SetLastError = true)]
    public static partial int PosixSpawn(out int pid, byte* path, SpawnFileActions* actions, SpawnAttr* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int SpawnFileActionsInit(SpawnFileActions* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int SpawnFileActionsDestroy(SpawnFileActions* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int SpawnFileActionsAddDup2(SpawnFileActions* actions, int fd, int newfd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SpawnFileActionsAddChdir(SpawnFileActions* actions, string path);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(SpawnAttr* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(SpawnAttr* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(SpawnAttr* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(SpawnAttr* attr, SigSet* set);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(SpawnAttr* attr, SigSet* set);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    public static partial int SigFillSet(SigSet* set);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(SigSet* set);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nint count);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* sv);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    public static partial int Execve(byte* path, byte** argv, byte** envp);

    public static int PidfdOpen(int pid) => (int)Syscall((nint)SYS_pidfd_open, pid, 0, 0, 0, 0, 0);

    public static int PidfdSendSignal(int pidfd, int sig) => (int)Syscall((nint)SYS_pidfd_send_signal, pidfd, sig, 0, 0, 0, 0);

    public static int CloseRange(uint first, uint last, uint flags) => (int)Syscall((nint)SYS_close_range, (nint)first, (nint)last, (nint)flags, 0, 0, 0);
}

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, byte* buf, nint count, long offset);
}

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int Setsid();
}

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();
}
