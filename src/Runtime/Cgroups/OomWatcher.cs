using System.Diagnostics;
using Runtime.Linux;

namespace Runtime.Cgroups;

/// <summary>
/// Tells when the kernel's OOM killer acted in a container's cgroup. v1: an eventfd registered on
/// memory.oom_control through cgroup.event_control (the kernel counts OOM events into it). v2: inotify on
/// memory.events, whose "oom_kill" counter is compared with the last one seen.
/// <see cref="Fd"/> turns readable when something may have happened: poll it with the container's other fds
/// and call <see cref="ReadEvents"/>, or use <see cref="Wait"/>.
/// </summary>
public sealed unsafe class OomWatcher : IDisposable
{
    private readonly string memoryDir;
    private readonly bool v2;
    private readonly int controlFd = -1;
    private ulong lastOomKills;

    public int Fd { get; }

    /// <summary>The memory cgroup went away (the kernel signals that too); no more events will come.</summary>
    public bool CgroupRemoved { get; private set; }

    private OomWatcher(string memoryDir, bool v2, int fd, int controlFd)
    {
        this.memoryDir = memoryDir;
        this.v2 = v2;
        Fd = fd;
        this.controlFd = controlFd;
    }

    internal static OomWatcher OpenV1(string memoryDir)
    {
        int efd = Libc.Check(Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), "eventfd");
        var control = Path.Combine(memoryDir, "memory.oom_control");
        int cfd = Libc.Open(control, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (cfd < 0)
        {
            int errno = Libc.LastErrno;
            Libc.Close(efd);
            throw new SyscallException($"open {control}", errno);
        }
        var register = Path.Combine(memoryDir, "cgroup.event_control");
        int rc = CgroupFile.TryWrite(register, $"{efd} {cfd}");
        if (rc != 0)
        {
            Libc.Close(efd);
            Libc.Close(cfd);
            throw new SyscallException($"write {register}", rc);
        }
        return new OomWatcher(memoryDir, v2: false, efd, cfd);
    }

    internal static OomWatcher OpenV2(string dir)
    {
        int ifd = Libc.Check(Libc.InotifyInit1(Libc.IN_CLOEXEC | Libc.IN_NONBLOCK), "inotify_init1");
        var events = Path.Combine(dir, "memory.events");
        if (Libc.InotifyAddWatch(ifd, events, Libc.IN_MODIFY | Libc.IN_DELETE_SELF) < 0)
        {
            int errno = Libc.LastErrno;
            Libc.Close(ifd);
            throw new SyscallException($"inotify_add_watch {events}", errno);
        }
        var watcher = new OomWatcher(dir, v2: true, ifd, -1);
        watcher.lastOomKills = watcher.OomKills();
        return watcher;
    }

    private ulong OomKills() =>
        CgroupFile.ReadKeyValues(Path.Combine(memoryDir, "memory.events")).GetValueOrDefault("oom_kill");

    /// <summary>Without blocking: how many OOM events happened since the last call (0 if none).</summary>
    public int ReadEvents()
    {
        var buf = stackalloc byte[4096];
        ulong drained = 0;
        while (true)
        {
            nint n = Libc.Read(Fd, buf, v2 ? 4096 : 8);
            if (n < 0)
            {
                if (Libc.LastErrno == Errnos.EINTR) continue;
                if (Libc.LastErrno == Errnos.EAGAIN) break;
                throw new SyscallException("read OOM notification", Libc.LastErrno);
            }
            if (n == 0) break;
            if (!v2) drained += *(ulong*)buf;
            else if (n >= 16 && (*(uint*)(buf + 4) & (Libc.IN_DELETE_SELF | Libc.IN_IGNORED)) != 0) CgroupRemoved = true;
            if (!v2) break;
        }
        if (v2)
        {
            if (!Directory.Exists(memoryDir)) { CgroupRemoved = true; return 0; }
            ulong now = OomKills();
            int count = (int)Math.Min(now - Math.Min(now, lastOomKills), int.MaxValue);
            lastOomKills = now;
            return count;
        }
        // v1 also signals the eventfd when the cgroup is removed: that is not an OOM.
        if (drained > 0 && !File.Exists(Path.Combine(memoryDir, "cgroup.event_control")))
        {
            CgroupRemoved = true;
            return (int)Math.Min(drained - 1, int.MaxValue);
        }
        return (int)Math.Min(drained, int.MaxValue);
    }

    /// <summary>Blocks until an OOM event, the cgroup's removal, or the timeout; returns the number of OOM events.</summary>
    public int Wait(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!CgroupRemoved)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero) return 0;
            var pfd = new Libc.PollFd { Fd = Fd, Events = Libc.POLLIN };
            int rc = Libc.Poll(&pfd, 1, (int)Math.Ceiling(left.TotalMilliseconds));
            if (rc < 0 && Libc.LastErrno != Errnos.EINTR) throw new SyscallException("poll OOM notification", Libc.LastErrno);
            if (rc > 0 && ReadEvents() is var n and > 0) return n;
        }
        return 0;
    }

    public void Dispose()
    {
        Libc.Close(Fd);
        if (controlFd >= 0) Libc.Close(controlFd);
    }
}
