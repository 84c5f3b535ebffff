using System.Runtime.InteropServices;
using System.Text;

namespace Runtime.Linux;

// AF_UNIX sockets and fd passing (SCM_RIGHTS): console sockets, seccomp listeners, the init channel.
internal static unsafe partial class Libc
{
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000, MSG_NOSIGNAL = 0x4000;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* addr, uint len);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* msg, int flags);

    /// <summary>Connects a new AF_UNIX stream socket to <paramref name="path"/> (close-on-exec).</summary>
    public static int ConnectUnix(string path, string what)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108)
            throw new RuntimeException($"{what}: socket path {path} is longer than 107 bytes");
        int fd = Check(Socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), $"{what}: socket");
        var addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = (ushort)AF_UNIX;
        bytes.CopyTo(new Span<byte>(addr + 2, 108));
        if (Connect(fd, addr, (uint)(2 + bytes.Length + 1)) == -1)
        {
            int errno = LastErrno;
            Close(fd);
            throw new SyscallException($"{what}: connect {path}", errno);
        }
        return fd;
    }

    /// <summary>One sendmsg: <paramref name="data"/> in the iov and exactly one fd as SCM_RIGHTS.</summary>
    public static void SendFd(int socket, ReadOnlySpan<byte> data, int fdToSend, string what)
    {
        var control = stackalloc byte[24]; // CMSG_SPACE(sizeof(int))
        new Span<byte>(control, 24).Clear();
        *(ulong*)control = 20;              // cmsg_len = CMSG_LEN(sizeof(int))
        *(int*)(control + 8) = SOL_SOCKET;
        *(int*)(control + 12) = SCM_RIGHTS;
        *(int*)(control + 16) = fdToSend;
        byte dummy = 0;
        fixed (byte* d = data)
        {
            var iov = new IoVec { Base = data.Length > 0 ? d : &dummy, Len = (nuint)Math.Max(data.Length, 1) };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 };
            nint n;
            while ((n = SendMsg(socket, &msg, MSG_NOSIGNAL)) == -1 && LastErrno == Errnos.EINTR) { }
            Check(n, $"{what}: sendmsg");
        }
    }

    /// <summary>Receives one message carrying one fd; returns the fd (close-on-exec) and the data bytes.</summary>
    public static int RecvFd(int socket, Span<byte> data, out int dataLength, string what)
    {
        var control = stackalloc byte[24];
        new Span<byte>(control, 24).Clear();
        fixed (byte* d = data)
        {
            var iov = new IoVec { Base = d, Len = (nuint)data.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 };
            nint n;
            while ((n = RecvMsg(socket, &msg, MSG_CMSG_CLOEXEC)) == -1 && LastErrno == Errnos.EINTR) { }
            dataLength = (int)Check(n, $"{what}: recvmsg");
            if (msg.ControlLen < 20 || *(int*)(control + 8) != SOL_SOCKET || *(int*)(control + 12) != SCM_RIGHTS)
                throw new RuntimeException($"{what}: message carried no file descriptor");
            return *(int*)(control + 16);
        }
    }
}
