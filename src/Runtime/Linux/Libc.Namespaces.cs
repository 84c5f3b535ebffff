using System.Runtime.InteropServices;

namespace Runtime.Linux;

internal static unsafe partial class Libc
{
    public const uint CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x2000000, CLONE_NEWUTS = 0x4000000,
        CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;
    public const nuint NS_GET_NSTYPE = 0xb703;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    public static partial int SetHostname(byte* name, nint len);

    [LibraryImport("libc", EntryPoint = "setdomainname", SetLastError = true)]
    public static partial int SetDomainname(byte* name, nint len);
}

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);
}
