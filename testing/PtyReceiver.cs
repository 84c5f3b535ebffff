using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Runtime.Testing;

/// <summary>The other end of --console-socket, as go-runc and conmon implement it: listen on a unix
/// socket, accept one connection, take exactly one SCM_RIGHTS fd from one message (the pty master).</summary>
public sealed unsafe partial class PtyReceiver : IDisposable
{
    private readonly Socket _listener;
    public string Path { get; }
    public int Master { get; private set; } = -1;
    public string Name { get; private set; } = "";

    public PtyReceiver(string path)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(1);
    }

    /// <summary>Accepts the runtime's connection and receives the master (call while create runs).</summary>
    public Task ReceiveAsync() => Task.Run(() =>
    {
        using var conn = _listener.Accept();
        var data = new byte[256];
        var control = new byte[64];
        fixed (byte* d = data, c = control)
        {
            var iov = new IoVec { Base = d, Len = (nuint)data.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = c, ControlLen = (nuint)control.Length };
            nint n = RecvMsg((int)conn.Handle, &msg, 0);
            if (n < 0) throw new IOException($"recvmsg: errno {Marshal.GetLastPInvokeError()}");
            if (msg.ControlLen < 20 || *(int*)(c + 8) != 1 || *(int*)(c + 12) != 1)
                throw new IOException("the message carried no SCM_RIGHTS fd");
            Master = *(int*)(c + 16);
            Name = Encoding.UTF8.GetString(data, 0, (int)n);
        }
    });

    /// <summary>True when the fd is a pty master: TIOCGPTN (its peer's number) only works on a master.</summary>
    public bool IsPtyMaster()
    {
        int n;
        return Ioctl(Master, 0x80045430, (nint)(&n)) == 0;
    }

    public void Write(string text)
    {
        var b = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = b) WriteFd(Master, p, b.Length);
    }

    /// <summary>Reads from the master until <paramref name="text"/> appears or the time is up.</summary>
    public string ReadUntil(string text, double seconds = 10)
    {
        var sb = new StringBuilder();
        var buf = new byte[4096];
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var pfd = stackalloc int[2];
        while (DateTime.UtcNow < deadline && !sb.ToString().Contains(text))
        {
            pfd[0] = Master; pfd[1] = 1; // struct pollfd { fd, events = POLLIN }
            if (Poll(pfd, 1, 200) <= 0) continue;
            fixed (byte* p = buf)
            {
                nint n = ReadFd(Master, p, buf.Length);
                if (n < 0 && Marshal.GetLastPInvokeError() is 4 or 11) continue; // EINTR, EAGAIN
                if (n <= 0) break; // EOF or EIO: the container closed its side
                sb.Append(Encoding.UTF8.GetString(buf, 0, (int)n));
            }
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        if (Master >= 0) CloseFd(Master);
        _listener.Dispose();
        File.Delete(Path);
    }

    [StructLayout(LayoutKind.Sequential)] private struct IoVec { public void* Base; public nuint Len; }
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr { public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen; public void* Control; public nuint ControlLen; public int Flags; }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)] private static partial nint RecvMsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)] private static partial int Ioctl(int fd, nuint request, nint arg);
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)] private static partial nint ReadFd(int fd, byte* buf, nint n);
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)] private static partial nint WriteFd(int fd, byte* buf, nint n);
    [LibraryImport("libc", EntryPoint = "close")] private static partial int CloseFd(int fd);
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)] private static partial int Poll(int* fds, nuint n, int timeout);
}
