using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using NUnit.Framework;
using Runtime.Linux;
using Runtime.Seccomp;
using Runtime.Spec;
using static Runtime.Tests.Seccomp.Profiles;

namespace Runtime.Tests.Seccomp;

/// <summary>
/// SCMP_ACT_NOTIFY end to end: the listener fd and runc's container process state reach an agent
/// over its unix socket, and an agent written here answers the filtered thread's syscalls.
/// </summary>
public unsafe class SeccompNotifyTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("seccomp-notify-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static OciState State() => new()
    {
        Id = "ctr-1", Status = "running", Pid = 4242, Bundle = "/bundles/ctr-1",
        Annotations = new Dictionary<string, string> { ["myKey"] = "myValue" },
    };

    /// <summary>A listening agent socket; Receive accepts one connection and returns what came.</summary>
    private sealed class Agent : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        public Agent(string path)
        {
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen(1);
        }

        public (int Fd, JsonElement State, bool ClosedAfter) Receive()
        {
            using var conn = _listener.Accept();
            int sock = (int)conn.SafeHandle.DangerousGetHandle();
            var buf = new byte[8192];
            int fd = Libc.RecvFd(sock, buf, out int len, "agent");
            var json = JsonDocument.Parse(buf.AsMemory(0, len)).RootElement.Clone();
            bool closed = conn.Receive(new byte[1]) == 0; // the runtime closes after one state
            return (fd, json, closed);
        }

        public void Dispose() => _listener.Dispose();
    }

    private static ulong Inode(int fd)
    {
        Libc.Check(Libc.Fstat(fd, out var st), "fstat");
        return st.Ino;
    }

    [Test]
    public void SendListenerFdSendsRuncsContainerProcessStateWithTheFd()
    {
        var path = Path.Combine(_dir, "agent.sock");
        using var agent = new Agent(path);
        int memfd = Libc.Check(Libc.MemfdCreate("listener-stand-in", Libc.MFD_CLOEXEC), "memfd_create");
        try
        {
            var received = Task.Run(agent.Receive);
            SeccompNotify.SendListenerFd(path, memfd, 4343, State(), "MKNOD=/dev/null");
            var (fd, json, closed) = received.Result;
            try
            {
                Assert.That(Inode(fd), Is.EqualTo(Inode(memfd)), "the SCM_RIGHTS fd is the listener");
                Assert.That(Libc.Fcntl(fd, Libc.F_GETFD, 0) & Libc.FD_CLOEXEC, Is.Not.Zero);
            }
            finally
            {
                Libc.Close(fd);
            }
            Assert.That(closed, "the connection is closed after one state");
            Assert.That(json.GetProperty("ociVersion").GetString(), Is.EqualTo("1.2.0"));
            Assert.That(json.GetProperty("fds").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "seccompFd" }));
            Assert.That(json.GetProperty("pid").GetInt32(), Is.EqualTo(4343));
            Assert.That(json.GetProperty("metadata").GetString(), Is.EqualTo("MKNOD=/dev/null"));
            var state = json.GetProperty("state");
            Assert.That(state.GetProperty("ociVersion").GetString(), Is.EqualTo("1.2.0"));
            Assert.That(state.GetProperty("id").GetString(), Is.EqualTo("ctr-1"));
            Assert.That(state.GetProperty("status").GetString(), Is.EqualTo("running"));
            Assert.That(state.GetProperty("pid").GetInt32(), Is.EqualTo(4242));
            Assert.That(state.GetProperty("bundle").GetString(), Is.EqualTo("/bundles/ctr-1"));
            Assert.That(state.GetProperty("annotations").GetProperty("myKey").GetString(), Is.EqualTo("myValue"));
        }
        finally
        {
            Libc.Close(memfd);
        }
    }

    [Test]
    public void EmptyMetadataIsLeftOut()
    {
        var path = Path.Combine(_dir, "agent.sock");
        using var agent = new Agent(path);
        int memfd = Libc.Check(Libc.MemfdCreate("listener-stand-in", Libc.MFD_CLOEXEC), "memfd_create");
        var received = Task.Run(agent.Receive);
        SeccompNotify.SendListenerFd(path, memfd, 1, State(), "");
        var (fd, json, _) = received.Result;
        Libc.Close(fd);
        Libc.Close(memfd);
        Assert.That(json.TryGetProperty("metadata", out _), Is.False);
    }

    [Test]
    public void AnAbstractListenerPathWorks()
    {
        var name = $"runtime-test-agent-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using var agent = new Agent("\0" + name);
        int memfd = Libc.Check(Libc.MemfdCreate("listener-stand-in", Libc.MFD_CLOEXEC), "memfd_create");
        var received = Task.Run(agent.Receive);
        SeccompNotify.SendListenerFd("@" + name, memfd, 1, State(), null);
        var (fd, json, _) = received.Result;
        Libc.Close(fd);
        Libc.Close(memfd);
        Assert.That(json.GetProperty("state").GetProperty("id").GetString(), Is.EqualTo("ctr-1"));
    }

    [Test]
    public void NoAgentIsAClearError()
    {
        var e = Assert.Throws<RuntimeException>(() => SeccompNotify.SendListenerFd(Path.Combine(_dir, "nobody.sock"), 0, 1, State(), null))!;
        Assert.That(e.Message, Does.StartWith("failed to connect with seccomp agent specified in the seccomp profile: "));
        Assert.That(e.Message, Does.Contain("nobody.sock").And.Contain("ENOENT"));
    }

    [Test]
    public void TakeListenerFdCopiesAnotherProcesssFd()
    {
        int memfd = Libc.Check(Libc.MemfdCreate("listener-stand-in", 0), "memfd_create");
        int copy = SeccompNotify.TakeListenerFd(Environment.ProcessId, memfd);
        Assert.That(copy, Is.Not.EqualTo(memfd));
        Assert.That(Inode(copy), Is.EqualTo(Inode(memfd)));
        Assert.That(Libc.Fcntl(copy, Libc.F_GETFD, 0) & Libc.FD_CLOEXEC, Is.Not.Zero);
        Libc.Close(copy);
        Libc.Close(memfd);
    }

    // ---- a seccomp agent

    [StructLayout(LayoutKind.Sequential)]
    private struct SeccompNotif
    {
        public ulong Id;
        public uint Pid;
        public uint Flags;
        public int Nr;
        public uint Arch;
        public ulong InstructionPointer;
        public fixed ulong Args[6];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SeccompNotifResp
    {
        public ulong Id;
        public long Val;
        public int Error;
        public uint Flags;
    }

    // _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp)
    private const nuint NotifRecv = 0xc0502100, NotifSend = 0xc0182101;
    private const int ENOMEDIUM = 123;

    /// <summary>Answers <paramref name="count"/> notifications: the first with ENOMEDIUM, the rest
    /// with the syscall's first argument times two; returns the syscall numbers and pids it saw.</summary>
    private static List<(int Nr, uint Pid)> Answer(int listener, int count)
    {
        var seen = new List<(int, uint)>();
        for (int i = 0; i < count; i++)
        {
            var req = new SeccompNotif();
            Libc.Check(Libc.Ioctl(listener, NotifRecv, (nint)(&req)), "SECCOMP_IOCTL_NOTIF_RECV");
            seen.Add((req.Nr, req.Pid));
            var resp = new SeccompNotifResp { Id = req.Id };
            if (i == 0)
                resp.Error = -ENOMEDIUM;
            else
                resp.Val = (long)req.Args[0] * 2;
            Libc.Check(Libc.Ioctl(listener, NotifSend, (nint)(&resp)), "SECCOMP_IOCTL_NOTIF_SEND");
        }
        return seen;
    }

    [Test]
    public void AnAgentAnswersTheContainersSyscallsThroughTheListener()
    {
        var path = Path.Combine(_dir, "agent.sock");
        using var agent = new Agent(path);
        var filter = CompiledFilter.Deserialize(SeccompCompiler.Compile(Parse($$"""
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"{{path}}","listenerMetadata":"bar",
             "syscalls":[{"names":["getpriority"],"action":"SCMP_ACT_NOTIFY"}]}
            """))!.Serialize());
        Assert.That(filter.NeedsListener);

        var agentWork = Task.Run(() =>
        {
            var (fd, json, _) = agent.Receive();
            try
            {
                return (json, seen: Answer(fd, 2));
            }
            finally
            {
                Libc.Close(fd); // the agent goes away: later notified calls fail with ENOSYS
            }
        });

        var results = DedicatedThread.Run(() =>
        {
            int listener = SeccompLoader.Load(filter);
            int tid = (int)Libc.Syscall(186 /* gettid */, 0, 0, 0, 0, 0, 0);
            SeccompNotify.SendListenerFd(path, listener, tid, State(), "bar");
            Libc.Close(listener); // like runc's init: only the agent keeps it
            var first = Sys(Getpriority, 21);
            var second = Sys(Getpriority, 21);
            agentWork.Wait(TimeSpan.FromSeconds(20));
            var orphaned = Sys(Getpriority, 21);
            return (tid, first, second, orphaned);
        });

        var (state, seen) = agentWork.Result;
        Assert.That(state.GetProperty("metadata").GetString(), Is.EqualTo("bar"));
        Assert.That(state.GetProperty("pid").GetInt32(), Is.EqualTo(results.tid));
        Assert.That(seen, Is.EqualTo(new[] { (Getpriority, (uint)results.tid), (Getpriority, (uint)results.tid) }), "the agent saw the thread's getpriority calls");
        Assert.That(results.first, Is.EqualTo((-1L, ENOMEDIUM)), "the agent's error");
        Assert.That(results.second, Is.EqualTo((42L, 0)), "the agent's value");
        Assert.That(results.orphaned, Is.EqualTo((-1L, Errnos.ENOSYS)), "with the agent gone the call fails instead of hanging");
    }

    private static (long Rc, int Errno) Sys(long nr, long a1)
    {
        long rc = Libc.Syscall((nint)nr, (nint)a1, 0, 0, 0, 0, 0);
        return (rc, rc == -1 ? Libc.LastErrno : 0);
    }
}
