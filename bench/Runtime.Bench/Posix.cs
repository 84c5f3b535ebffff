using System.Runtime.InteropServices;

namespace Runtime.Bench;

/// <summary>The few libc calls the harness needs to start its launcher (bench/spawnd.c) with
/// posix_spawn: no System.Diagnostics.Process, whose SIGCHLD handling reaps children it did not start.</summary>
internal static unsafe partial class Posix
{
    public const int EINTR = 4, ECHILD = 10, ESRCH = 3;
    public const int SIGKILL = 9, SIGPIPE = 13;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSIGDEF = 0x04;

    // glibc x86_64: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128;
    // the buffers below are larger on purpose.
    public const int FileActionsSize = 128, SpawnAttrSize = 512, SigSetSize = 128;

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* fa);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* fa);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    public static partial int FileActionsAddOpen(void* fa, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* fa, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(void* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "sigaddset")]
    public static partial int SigAddSet(void* set, int sig);


    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);



    public static int Errno => Marshal.GetLastPInvokeError();

    public static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Decodes a wait status the way a shell reports it.</summary>
    public static string DescribeStatus(int status)
    {
        int sig = status & 0x7f;
        if (sig == 0) return $"exit status {(status >> 8) & 0xff}";
        return $"killed by signal {sig}";
    }

    public static bool ExitedZero(int status) => (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0;
}
