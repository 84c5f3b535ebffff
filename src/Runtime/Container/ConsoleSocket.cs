using Runtime.Linux;
using Runtime.Process;

namespace Runtime.Container;

/// <summary>--console-socket: connected here, on the host, and inherited by the init, which sends the
/// pty master through it once the pty exists inside the container.</summary>
internal static unsafe class ConsoleSocket
{
    /// <summary>A socketpair for the foreground tty proxy: [0] ours, [1] the init's console socket.</summary>
    public static (int Ours, int Theirs) Pair()
    {
        int* sv = stackalloc int[2];
        Libc.Check(Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv), "socketpair for the terminal");
        return (sv[0], sv[1]);
    }

    /// <param name="ourEnd">a socket of our own (foreground with a tty proxy) used instead of a path.</param>
    public static InheritedFd? Connect(string? path, bool terminal, int preserveFds, int ourEnd = -1)
    {
        if (!terminal)
            return null;
        if (ourEnd >= 0)
            return new InheritedFd(ourEnd, preserveFds, "terminal");
        if (string.IsNullOrEmpty(path))
            throw new RuntimeException("cannot allocate tty if runtime will detach without setting console socket");
        int fd = Libc.ConnectUnix(path, "--console-socket");
        try
        {
            return new InheritedFd(fd, preserveFds, "--console-socket");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
