using System.Diagnostics;
using Runtime.Linux;

namespace Runtime.Cgroups;

/// <summary>Making and removing cgroup directories.</summary>
internal static class CgroupDirectory
{
    /// <summary>How long removal waits for the last processes of a killed container to leave (EBUSY).</summary>
    public static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// mkdir -p of <paramref name="dir"/> below <paramref name="mountPoint"/>. <paramref name="beforeChild"/> sees each
    /// parent on the way down (existing or not) before its child is made; every directory made is added to
    /// <paramref name="created"/> (outermost first) and passed to <paramref name="onCreated"/> with its parent.
    /// </summary>
    public static void MakeAll(string dir, string mountPoint, List<string> created,
        Action<string>? beforeChild = null, Action<string, string>? onCreated = null)
    {
        var current = mountPoint.TrimEnd('/');
        if (!dir.StartsWith(current + "/", StringComparison.Ordinal))
            throw new RuntimeException($"cgroup {dir} is not below its mount {mountPoint}");
        foreach (var part in dir[(current.Length + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var parent = current;
            current = current + "/" + part;
            beforeChild?.Invoke(parent);
            if (Libc.MkdirAt(Libc.AT_FDCWD, current, 0b111_101_101 /* 0755 */) == 0)
            {
                created.Add(current);
                onCreated?.Invoke(parent, current);
            }
            else if (Libc.LastErrno != Errnos.EEXIST)
                throw new RuntimeException($"create cgroup {dir}: mkdir {current}: {Errnos.Describe(Libc.LastErrno)}");
        }
    }

    /// <summary>
    /// Removes a cgroup and every cgroup below it (a container may make its own), deepest first. EBUSY means
    /// processes are still leaving: retried with a growing pause until <paramref name="deadline"/>.
    /// Returns null when it is gone, else why not.
    /// </summary>
    public static string? Remove(string dir, Stopwatch clock, TimeSpan deadline)
    {
        IEnumerable<string> children;
        try
        {
            children = Directory.EnumerateDirectories(dir).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        foreach (var child in children)
            if (Remove(child, clock, deadline) is { } error)
                return error;

        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            if (Libc.UnlinkAt(Libc.AT_FDCWD, dir, Libc.AT_REMOVEDIR) == 0) return null;
            int errno = Libc.LastErrno;
            if (errno == Errnos.ENOENT) return null;
            if (errno == Errnos.EINTR) continue;
            if (errno != Errnos.EBUSY || clock.Elapsed >= deadline)
            {
                var pids = errno == Errnos.EBUSY ? CgroupFile.ReadProcs(dir) : [];
                return $"rmdir {dir}: {Errnos.Describe(errno)}" +
                       (pids.Count > 0 ? $" ({pids.Count} process(es) still in it: {string.Join(' ', pids.Take(10))})" : "");
            }
            var left = deadline - clock.Elapsed;
            Thread.Sleep(pause < left ? pause : left);
            pause = pause * 2 > TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : pause * 2;
        }
    }
}
