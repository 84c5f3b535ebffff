using System.Text;
using Runtime.Linux;

namespace Runtime.Process;

/// <summary>One write(2) to a /proc file of a process we started (the host's /proc, from the parent):
/// the kernel takes such files in a single write, and its errno is the useful part of the error.</summary>
internal static unsafe class ProcWrite
{
    public static void Write(string path, string text, string field)
    {
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        if (fd == -1)
            throw new RuntimeException($"{field}: open {path}: {Errnos.Describe(Libc.LastErrno)}");
        try
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            fixed (byte* b = bytes)
                if (Libc.Write(fd, b, bytes.Length) != bytes.Length)
                    throw new RuntimeException($"{field}: write \"{text.TrimEnd()}\" to {path}: {Errnos.Describe(Libc.LastErrno)}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
