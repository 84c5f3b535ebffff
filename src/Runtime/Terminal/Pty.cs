using System.Text;
using Runtime.Linux;
using Runtime.Rootfs;

namespace Runtime.Terminal;

/// <summary>
/// The container's terminal, made inside the container (after pivot_root, or after joining its mount
/// namespace for exec): the master comes from the container's own devpts (/dev/pts/ptmx), the peer
/// from TIOCGPTPEER (never by path), /dev/console is that peer bound by fd (CVE-2025-52565), and the
/// master goes to whoever holds the console socket.
/// </summary>
internal static unsafe class Pty
{
    private const nuint TIOCSPTLCK = 0x40045431, TIOCGPTPEER = 0x5441, TIOCSWINSZ = 0x5414, TIOCSCTTY = 0x540E, TIOCGPTN = 0x80045430;
    private const long DEVPTS_SUPER_MAGIC = 0x1cd1;

    public static void Setup(int consoleSocket, Spec.Box? size, bool mountConsole)
    {
        int master = Libc.Check(Libc.Open("/dev/pts/ptmx", Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0),
            "terminal: open /dev/pts/ptmx (is devpts mounted at /dev/pts with newinstance?)");
        int slave = -1;
        try
        {
            if (Libc.Fstatfs(master, out var fs) != 0 || fs.Type != DEVPTS_SUPER_MAGIC)
                throw new RuntimeException("terminal: /dev/pts/ptmx is not on a devpts filesystem");
            int unlock = 0;
            Libc.Check(Libc.Ioctl(master, TIOCSPTLCK, (nint)(&unlock)), "terminal: unlockpt");
            slave = Libc.Check(Libc.Ioctl(master, TIOCGPTPEER, Libc.O_RDWR | Libc.O_NOCTTY), "terminal: TIOCGPTPEER");
            if (size is { Height: > 0 } or { Width: > 0 })
            {
                ushort* ws = stackalloc ushort[4];
                ws[0] = (ushort)size!.Height; ws[1] = (ushort)size.Width; ws[2] = 0; ws[3] = 0;
                Libc.Check(Libc.Ioctl(slave, TIOCSWINSZ, (nint)ws), "process.consoleSize: TIOCSWINSZ");
            }
            if (mountConsole)
                BindConsole(slave);
            int ptn = 0;
            Libc.Check(Libc.Ioctl(master, TIOCGPTN, (nint)(&ptn)), "terminal: TIOCGPTN");
            Libc.SendFd(consoleSocket, Encoding.UTF8.GetBytes($"/dev/pts/{ptn}"), master, "--console-socket");
            // The peer becomes our controlling terminal and stdio; the user's program inherits both.
            Libc.Check(Libc.Ioctl(slave, TIOCSCTTY, 0), "terminal: TIOCSCTTY");
            for (int fd = 0; fd <= 2; fd++)
                Libc.Check(Libc.Dup3(slave, fd, 0), $"terminal: dup to fd {fd}");
        }
        finally
        {
            Libc.Close(master);
            if (slave > 2) Libc.Close(slave);
            Libc.Close(consoleSocket);
        }
    }

    private static void BindConsole(int slave)
    {
        int root = Libc.Check(Libc.Open("/", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open /");
        try
        {
            int target = SecurePath.CreateFile(root, "/dev/console", "terminal: /dev/console", followLast: false);
            try
            {
                Libc.Check(Libc.Mount(SecurePath.FdPath(slave), SecurePath.FdPath(target), null, Libc.MS_BIND, null),
                    "terminal: bind the pty onto /dev/console");
            }
            finally
            {
                Libc.Close(target);
            }
        }
        finally
        {
            Libc.Close(root);
        }
    }
}
