using System.Runtime.InteropServices;

namespace Runtime.Linux;

internal static unsafe partial class Libc
{
    public const nuint TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;

    /// <summary>struct termios (60 bytes on x86_64 glibc), opaque to us but for cfmakeraw.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    public struct Termios { }

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, Termios* t);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int action, Termios* t);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(Termios* t);

    [LibraryImport("libc", EntryPoint = "isatty")]
    public static partial int IsAtty(int fd);
}
