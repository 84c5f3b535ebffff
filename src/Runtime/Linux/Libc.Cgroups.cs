using System.Runtime.InteropServices;

namespace Runtime.Linux;

// Cgroups: OOM notification (v1 eventfd on memory.oom_control, v2 inotify on memory.events) (poll is in Libc.Process.cs).
internal static unsafe partial class Libc
{
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const int IN_CLOEXEC = 0x80000, IN_NONBLOCK = 0x800;
    public const uint IN_MODIFY = 0x2, IN_DELETE_SELF = 0x400, IN_IGNORED = 0x8000;

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);
}
