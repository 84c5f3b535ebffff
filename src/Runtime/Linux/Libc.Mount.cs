using System.Runtime.InteropServices;

namespace Runtime.Linux;

// Mounts, root switching and fd-relative path resolution (openat2 RESOLVE_IN_ROOT).
internal static unsafe partial class Libc
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16, MS_REMOUNT = 32,
        MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096,
        MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18,
        MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;
    public const int MNT_DETACH = 2, UMOUNT_NOFOLLOW = 8;
    public const ulong RESOLVE_NO_XDEV = 1, RESOLVE_NO_MAGICLINKS = 2, RESOLVE_NO_SYMLINKS = 4, RESOLVE_BENEATH = 8,
        RESOLVE_IN_ROOT = 16;
    public const ulong MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4, MOUNT_ATTR_NOEXEC = 8,
        MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0, MOUNT_ATTR_NOATIME = 0x10, MOUNT_ATTR_STRICTATIME = 0x20,
        MOUNT_ATTR_NODIRATIME = 0x80, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;
    public const uint AT_RECURSIVE = 0x8000;
    public const long PROC_SUPER_MAGIC = 0x9fa0, TMPFS_MAGIC = 0x01021994;
    public const uint S_IFMT = 0xf000, S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFREG = 0x8000,
        S_IFIFO = 0x1000, S_IFLNK = 0xa000;
    private const long SYS_pivot_root = 155, SYS_openat2 = 437, SYS_mount_setattr = 442;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClr;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    /// <summary>struct stat on x86_64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stat
    {
        public ulong Dev;
        public ulong Ino;
        public ulong Nlink;
        public uint Mode;
        public uint Uid;
        public uint Gid;
        public int Pad0;
        public ulong Rdev;
        public long Size;
        public long Blksize;
        public long Blocks;
        public long Atime, AtimeNsec, Mtime, MtimeNsec, Ctime, CtimeNsec;
        public long Reserved0, Reserved1, Reserved2;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatFs
    {
        public long Type;
        public long Bsize;
        public ulong Blocks, Bfree, Bavail, Files, Ffree;
        public long Fsid;
        public long Namelen;
        public long Frsize;
        public long Flags;
        public long Spare0, Spare1, Spare2, Spare3;
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    [LibraryImport("libc", EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    [LibraryImport("libc", EntryPoint = "fchdir", SetLastError = true)]
    public static partial int Fchdir(int fd);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MknodAt(int dirfd, string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, int dirfd, string linkpath);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    public static partial int Fstat(int fd, out Stat st);

    [LibraryImport("libc", EntryPoint = "fstatat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FstatAt(int dirfd, string path, out Stat st, int flags);

    [LibraryImport("libc", EntryPoint = "fstatfs", SetLastError = true)]
    public static partial int Fstatfs(int fd, out StatFs st);

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statfs(string path, out StatFs st);

    public static int PivotRoot(string newRoot, string putOld)
    {
        var a = Runtime.Process.NativeStrings.Utf8(newRoot);
        var b = Runtime.Process.NativeStrings.Utf8(putOld);
        try
        {
            return (int)Syscall((nint)SYS_pivot_root, (nint)a, (nint)b, 0, 0, 0, 0);
        }
        finally
        {
            NativeMemory.Free(a);
            NativeMemory.Free(b);
        }
    }

    public static int OpenAt2(int dirfd, string path, ulong flags, ulong resolve)
    {
        var p = Runtime.Process.NativeStrings.Utf8(path);
        try
        {
            var how = new OpenHow { Flags = flags, Resolve = resolve };
            return (int)Syscall((nint)SYS_openat2, dirfd, (nint)p, (nint)(&how), sizeof(OpenHow), 0, 0);
        }
        finally
        {
            NativeMemory.Free(p);
        }
    }

    public static int MountSetattr(int dirfd, string path, uint flags, MountAttr attr)
    {
        var p = Runtime.Process.NativeStrings.Utf8(path);
        try
        {
            return (int)Syscall((nint)SYS_mount_setattr, dirfd, (nint)p, (nint)flags, (nint)(&attr), sizeof(MountAttr), 0);
        }
        finally
        {
            NativeMemory.Free(p);
        }
    }

    public static ulong Makedev(ulong major, ulong minor) =>
        ((major & 0xfffff000UL) << 32) | ((major & 0xfffUL) << 8) | ((minor & 0xffffff00UL) << 12) | (minor & 0xffUL);

    public static uint Major(ulong dev) => (uint)(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff));
    public static uint Minor(ulong dev) => (uint)(((dev >> 12) & 0xffffff00) | (dev & 0xff));
}

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchownAt(int dirfd, string path, uint owner, uint group, int flags);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);
}
