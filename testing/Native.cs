using System.Runtime.InteropServices;

namespace Runtime.Testing;

/// <summary>The few syscalls tests need that .NET does not offer (signals by number, mounts for
/// fixtures, the pid counter for pid-reuse tests).</summary>
public static partial class Native
{
    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    /// <summary>True if a process with this pid exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && stat.Length > close + 2 && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in ticks), or null.</summary>
    public static ulong? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return ulong.Parse(fields[19]);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The namespace link of a process ("net:[4026531992]"), or null if gone.</summary>
    public static string? Namespace(int pid, string name)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/{name}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static string? SelfNamespace(string name) => new FileInfo($"/proc/self/ns/{name}").LinkTarget;
}
