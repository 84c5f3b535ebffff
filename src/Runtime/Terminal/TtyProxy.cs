using System.Runtime.InteropServices;
using Runtime.Linux;

namespace Runtime.Terminal;

/// <summary>
/// `run`/`exec` in the foreground with process.terminal and no --console-socket (a person at a shell,
/// CRI-O's streaming exec): we are the console socket's other end, receive the pty master, and
/// copy between our stdio and it — our terminal in raw mode, window size changes forwarded, and
/// everything the container wrote drained before we exit.
/// </summary>
internal sealed unsafe class TtyProxy : IDisposable
{
    private readonly int _master;
    private readonly bool _restoreTerm;
    private readonly Libc.Termios _saved;
    private readonly Thread _output;
    private readonly PosixSignalRegistration? _winch;

    /// <param name="socket">our end of the socketpair whose other end the init used as console socket.</param>
    public TtyProxy(int socket)
    {
        Span<byte> name = stackalloc byte[256];
        _master = Libc.RecvFd(socket, name, out _, "terminal");
        if (Libc.IsAtty(0) == 1)
        {
            Libc.Termios t;
            if (Libc.TcGetAttr(0, &t) == 0)
            {
                _saved = t;
                Libc.CfMakeRaw(&t);
                _restoreTerm = Libc.TcSetAttr(0, 0 /* TCSANOW */, &t) == 0;
            }
            CopyWindowSize();
            _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, ctx => CopyWindowSize());
        }
        _output = new Thread(() => Pump(_master, 1, untilEof: true)) { IsBackground = true, Name = "tty-out" };
        _output.Start();
        new Thread(() => Pump(0, _master, untilEof: false)) { IsBackground = true, Name = "tty-in" }.Start();
    }

    private void CopyWindowSize()
    {
        ushort* ws = stackalloc ushort[4];
        if (Libc.Ioctl(0, Libc.TIOCGWINSZ, (nint)ws) == 0)
            Libc.Ioctl(_master, Libc.TIOCSWINSZ, (nint)ws);
    }

    private static void Pump(int from, int to, bool untilEof)
    {
        var buf = new byte[8192];
        fixed (byte* b = buf)
        {
            while (true)
            {
                nint n = Libc.Read(from, b, buf.Length);
                if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                if (n <= 0) return; // EIO once every copy of the pty's peer is closed: the container is gone
                for (nint off = 0; off < n;)
                {
                    nint w = Libc.Write(to, b + off, n - off);
                    if (w == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                    if (w <= 0) return;
                    off += w;
                }
            }
        }
    }

    /// <summary>After the container exits: wait for its last output to reach us, restore our terminal.</summary>
    public void Dispose()
    {
        _output.Join(TimeSpan.FromSeconds(5));
        _winch?.Dispose();
        if (_restoreTerm)
        {
            var t = _saved;
            Libc.TcSetAttr(0, 0, &t);
        }
        Libc.Close(_master);
    }
}
