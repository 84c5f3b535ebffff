using Runtime.Linux;
using Runtime.Process;

namespace Runtime.Container;

/// <summary>--console-socket: connected here, on the host, and inherited by the init, which sends the
/// pty master through it once the pty exists inside the container.</summary>
internal static class ConsoleSocket
{
    public static InheritedFd? Connect(string? path, bool terminal, int preserveFds)
    {
        if (!terminal)
            return null;
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
