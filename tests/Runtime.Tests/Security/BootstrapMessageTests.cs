using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NUnit.Framework;
using Runtime.Linux;
using Runtime.Testing;

namespace Runtime.Tests.Security;

/// <summary>
/// Hostile bootstrap messages to the C constructor stage (src/native/nsexec.c), the parser behind
/// CVE-2021-43784 in runc: the published binary is started with _RUNTIME_INITPIPE naming our end of
/// a socketpair and fed malformed frames. Each must end the stage with status 1 and an error frame
/// naming the problem, within a bounded time, before it joins or creates any namespace.
/// </summary>
public unsafe partial class BootstrapMessageTests
{
    // nsexec.h
    private const uint MsgBootstrap = 1, MsgUsermapReq = 2, MsgUsermapAck = 3, MsgChildPid = 4, MsgError = 5;
    private const ushort AttrCloneFlags = 1, AttrNsPath = 2, AttrTimensOffsets = 3;
    private const uint CLONE_NEWNS = 0x20000, CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000,
        CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_NEWCGROUP = 0x2000000, CLONE_NEWTIME = 0x80;
    private const int MaxBootstrap = 65536, PathMax = 4096;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("bootstrap-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    // ---- the hostile messages ----

    [Test]
    public void ATruncatedAttributeHeaderIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, new byte[5]), "truncated attribute header at offset 0");

    [Test]
    public void ATruncatedSecondAttributeHeaderIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, Concat(Attr(AttrCloneFlags, U32(0)), new byte[3])), "truncated attribute header at offset 12");

    [TestCase(100u)]
    [TestCase(0xFFFFFFFCu)] // NS_ALIGN would wrap to 0 if the bound were checked after aligning
    [TestCase(0xFFFFFFFFu)]
    public void AnAttributeLongerThanTheMessageIsRefused(uint claimed)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, AttrNsPath);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), claimed);
        AssertRefused(Frame(MsgBootstrap, Concat(header, U32(CLONE_NEWNET), Encoding.ASCII.GetBytes("/x\0\0"))),
            $"attribute 2 length {claimed} exceeds message");
    }

    [TestCase((uint)MaxBootstrap + 1)]
    [TestCase(0x7FFFFFFFu)]
    [TestCase(0xFFFFFFFFu)]
    public void AnOversizedMessageIsRefusedBeforeItIsRead(uint claimed) =>
        // Only the header is sent: the stage must judge the length, not wait for the bytes.
        AssertRefused(Header(MsgBootstrap, claimed), $"message 1 too long ({claimed} > {MaxBootstrap} bytes)");

    [Test]
    public void AnUnknownAttributeIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, Attr(0x7777, U32(1))), "unknown bootstrap attribute 30583");

    [Test]
    public void AWrongFirstMessageIsRefused() =>
        AssertRefused(Frame(MsgUsermapAck, new byte[1]), "expected message 1, got 3");

    [Test]
    public void AMessageCutShortIsRefusedWhenThePeerGoes() =>
        AssertRefused(Concat(Header(MsgBootstrap, 100), new byte[10]), "read message 1: Broken pipe");

    [Test]
    public void NoMessageAtAllIsRefusedWhenThePeerGoes() =>
        AssertRefused(Array.Empty<byte>(), "read frame header: Broken pipe");

    [TestCase(2)]
    [TestCase(8)]
    public void CloneFlagsOfTheWrongSizeAreRefused(int size) =>
        AssertRefused(Frame(MsgBootstrap, Attr(AttrCloneFlags, new byte[size])), "clone flags must be 4 bytes");

    [TestCase(0x100u)] // CLONE_VM
    [TestCase(0x80000000u)] // CLONE_IO
    public void CloneFlagsBeyondTheNamespacesAreRefused(uint flags) =>
        AssertRefused(Frame(MsgBootstrap, Attr(AttrCloneFlags, U32(flags | CLONE_NEWNS))), "unsupported clone flags");

    [Test]
    public void ANamespacePathWithoutNulIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, NsPath(CLONE_NEWNET, "/proc/self/ns/net", terminate: false)),
            "namespace path is not a single NUL-terminated string");

    [Test]
    public void ANamespacePathWithAnEmbeddedNulIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, NsPath(CLONE_NEWNET, "/proc/self/ns/net\0/etc/passwd")),
            "namespace path is not a single NUL-terminated string");

    [TestCase(0)]
    [TestCase(PathMax + 1)]
    [TestCase(60000)]
    public void ANamespacePathOfABadLengthIsRefused(int length) =>
        AssertRefused(Frame(MsgBootstrap, NsPath(CLONE_NEWNET, new string('a', length))), "namespace path attribute has bad length");

    [Test]
    public void AnUnknownNamespaceTypeIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, NsPath(0x1, "/proc/self/ns/net")), "unknown namespace type 0x1");

    [Test]
    public void MoreNamespacePathsThanTypesAreRefused()
    {
        var types = new[] { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNET };
        AssertRefused(Frame(MsgBootstrap, Concat(types.Select(t => NsPath(t, "/proc/self/ns/net")).ToArray())), "more than 8 namespace paths");
    }

    [Test]
    public void ANamespaceGivenTwiceIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, Concat(NsPath(CLONE_NEWNET, "/proc/self/ns/net"), NsPath(CLONE_NEWNET, "/proc/1/ns/net"))),
            "net namespace given twice");

    [Test]
    public void ANamespaceBothJoinedAndCreatedIsRefused() =>
        AssertRefused(Frame(MsgBootstrap, Concat(Attr(AttrCloneFlags, U32(CLONE_NEWNET)), NsPath(CLONE_NEWNET, "/proc/self/ns/net"))),
            "net namespace both joined by path and created");

    [Test]
    public void AHugeRunOfAttributesIsParsedWithinTheBound()
    {
        // 64 KiB of 12-byte attributes (repeated clone flags are allowed, the last wins) ending in an
        // unknown one: the walk reaches the end of the message and stops there.
        var many = Concat(Enumerable.Repeat(Attr(AttrCloneFlags, U32(0)), (MaxBootstrap - 16) / 12).Append(Attr(9, U32(0))).ToArray());
        Assert.That(many.Length, Is.LessThanOrEqualTo(MaxBootstrap));
        AssertRefused(Frame(MsgBootstrap, many), "unknown bootstrap attribute 9");
    }

    [TestCase(false, 10)]
    [TestCase(true, 300)]
    public void BadTimeNamespaceOffsetsAreRefused(bool terminate, int length)
    {
        var text = Encoding.ASCII.GetBytes(new string('1', length) + (terminate ? "\0" : ""));
        AssertRefused(Frame(MsgBootstrap, Attr(AttrTimensOffsets, text)),
            "time namespace offsets must be a NUL-terminated string of at most 256 bytes");
    }

    [Test]
    public void ANamespacePathThatDoesNotExistIsNamed()
    {
        var path = Path.Combine(_dir, "no-such-ns");
        AssertRefused(Frame(MsgBootstrap, NsPath(CLONE_NEWNET, path)), $"open net namespace {path}: No such file or directory");
    }

    [Test]
    public void ANamespacePathThatIsARegularFileIsRefusedBySetns()
    {
        var path = Path.Combine(_dir, "file");
        File.WriteAllText(path, "not a namespace");
        AssertRefused(Frame(MsgBootstrap, NsPath(CLONE_NEWIPC, path)), $"setns ipc namespace {path}: Invalid argument");
    }

    [Test]
    public void ANamespacePathThatIsAFifoDoesNotHang()
    {
        // open(2) of a FIFO for reading waits for a writer: the stage (and `runtime create` with it)
        // would hang forever on linux.namespaces[].path pointing at one.
        var path = Path.Combine(_dir, "fifo");
        Assert.That(RuntimeBinary.Exec("/usr/bin/mkfifo", new[] { path }).ExitCode, Is.Zero);
        AssertRefused(Frame(MsgBootstrap, NsPath(CLONE_NEWUTS, path)), $"setns uts namespace {path}: Invalid argument");
    }

    [Test]
    public void AnOversizedIdMapAcknowledgementIsRefused()
    {
        // The id-map handshake: after unsharing the user namespace the stage asks for its maps and
        // reads a one-byte acknowledgement; a huge length must not be read into that byte.
        using var stage = Stage.Start(_dir);
        stage.Send(Frame(MsgBootstrap, Attr(AttrCloneFlags, U32(CLONE_NEWUSER))));
        var (type, _) = stage.ReadFrame();
        Assert.That(type, Is.EqualTo(MsgUsermapReq), stage.Describe());
        stage.Send(Header(MsgUsermapAck, 0x7FFFFFFF));
        stage.AssertFailedWith("message 3 too long (2147483647 > 1 bytes)");
    }

    [Test]
    public void AWellFormedMessageIsAccepted()
    {
        // The counterpart that keeps the refusals honest: no namespaces, the stage reports its pid
        // and hands over to managed init (which then waits for its config; closing our end ends it).
        using var stage = Stage.Start(_dir);
        stage.Send(Frame(MsgBootstrap, Attr(AttrCloneFlags, U32(0))));
        var (type, payload) = stage.ReadFrame();
        Assert.That(type, Is.EqualTo(MsgChildPid), stage.Describe());
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(payload), Is.EqualTo((uint)stage.Pid));
    }

    // ---- dumpability ----

    [Test]
    public void TheStageIsNotDumpableWhileItHoldsTheInitSocket()
    {
        // A process of the same uid without CAP_SYS_PTRACE (a container's root) can open
        // /proc/PID/fd/* of a dumpable process. The stage holds host fds from its first instruction,
        // and after its fork it is inside the container's pid namespace: it must be non-dumpable.
        // Both run as uid 1000 here because root would pass the check regardless.
        const string asUser = "--reuid=1000 --regid=1000 --clear-groups";
        using var stage = Stage.Start(_dir, asUser);
        // Blocked in read(2) (syscall 0) on the init socket: the constructor is past its prologue.
        ContainerHarness.WaitUntil(() => File.ReadAllText($"/proc/{stage.Pid}/syscall").StartsWith($"0 0x{stage.TheirFd:x} "), 10, stage.Describe);
        var probe = $"/proc/{stage.Pid}/fd/{stage.TheirFd}";
        var r = RuntimeBinary.Exec("/usr/bin/setpriv", asUser.Split(' ').Concat(new[] { "--", "readlink", "-v", probe }));
        Assert.That(r.ExitCode, Is.Not.Zero, "the stage's init socket is reachable through " + probe + "\n" + r);
        Assert.That(r.Stderr, Does.Contain("Permission denied"), r.ToString());

        // The same probe succeeds against a dumpable process of that uid: the check can fail.
        using var control = System.Diagnostics.Process.Start(new ProcessStartInfo("/usr/bin/setpriv",
            asUser.Split(' ').Concat(new[] { "--", "sleep", "10" })) { UseShellExecute = false })!;
        try
        {
            ContainerHarness.WaitUntil(() => File.ReadAllText($"/proc/{control.Id}/comm").Trim() == "sleep", 10, () => "sleep to start");
            var c = RuntimeBinary.Exec("/usr/bin/setpriv", asUser.Split(' ').Concat(new[] { "--", "readlink", "-v", $"/proc/{control.Id}/fd/0" }));
            Assert.That(c.ExitCode, Is.Zero, "control probe: " + c);
        }
        finally
        {
            control.Kill();
            control.WaitForExit();
        }
    }

    // ---- helpers ----

    private void AssertRefused(byte[] bytes, string message)
    {
        using var stage = Stage.Start(_dir);
        stage.Send(bytes);
        stage.CloseOurWrite();
        stage.AssertFailedWith(message);
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Header(uint type, uint len) => Concat(U32(type), U32(len));

    private static byte[] Frame(uint type, byte[] payload) => Concat(Header(type, (uint)payload.Length), payload);

    /// <summary>u16 type, u16 reserved, u32 length, data padded to 4 bytes.</summary>
    private static byte[] Attr(ushort type, byte[] data)
    {
        var b = new byte[8 + ((data.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt16LittleEndian(b, type);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)data.Length);
        data.CopyTo(b, 8);
        return b;
    }

    private static byte[] NsPath(uint type, string path, bool terminate = true) =>
        Attr(AttrNsPath, Concat(U32(type), Encoding.UTF8.GetBytes(path + (terminate ? "\0" : ""))));

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static partial int SocketPair(int domain, int type, int protocol, int* sv);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(long* fds, nuint n, int timeoutMs);

    /// <summary>The binary with _RUNTIME_INITPIPE set to its end of a socketpair (runs `--version`
    /// should the stage ever return without an init socket).</summary>
    private sealed class Stage : IDisposable
    {
        private readonly System.Diagnostics.Process _proc;
        private readonly int _ours;
        private readonly string _stderr;
        public int TheirFd { get; }
        public int Pid => _proc.Id;

        private Stage(System.Diagnostics.Process proc, int ours, int theirs, string stderr)
        {
            _proc = proc;
            _ours = ours;
            TheirFd = theirs;
            _stderr = stderr;
        }

        public static Stage Start(string dir, string? asUser = null)
        {
            int* sv = stackalloc int[2];
            const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
            Libc.Check(SocketPair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
            int ours = sv[0], theirs = sv[1];
            var stderr = Path.Combine(dir, $"stage-{Guid.NewGuid():N}.err");
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$@\" 2>\"$STAGE_ERR\"");
            psi.ArgumentList.Add("sh");
            if (asUser != null)
            {
                psi.ArgumentList.Add("/usr/bin/setpriv");
                foreach (var a in asUser.Split(' ')) psi.ArgumentList.Add(a);
                psi.ArgumentList.Add("--");
            }
            psi.ArgumentList.Add(RuntimeBinary.Path);
            psi.ArgumentList.Add("--version");
            psi.Environment["STAGE_ERR"] = stderr;
            psi.Environment["_RUNTIME_INITPIPE"] = theirs.ToString();
            // Only the child gets this end, for as short a time as we can hold it open here.
            Libc.Check(Libc.Fcntl(theirs, Libc.F_SETFD, 0), "clear FD_CLOEXEC");
            System.Diagnostics.Process proc;
            try
            {
                proc = System.Diagnostics.Process.Start(psi)!;
            }
            finally
            {
                Libc.Close(theirs);
            }
            return new Stage(proc, ours, theirs, stderr);
        }

        public void Send(byte[] bytes)
        {
            fixed (byte* p = bytes)
                for (int off = 0; off < bytes.Length;)
                {
                    nint n = Libc.Write(_ours, p + off, bytes.Length - off);
                    if (n <= 0) break; // the stage may refuse (and go) before reading everything
                    off += (int)n;
                }
        }

        public void CloseOurWrite() => Shutdown(_ours, 1 /* SHUT_WR */);

        private bool ReadExactly(byte[] buf, DateTime deadline)
        {
            fixed (byte* p = buf)
                for (int off = 0; off < buf.Length;)
                {
                    long pfd = (uint)_ours | (1L /* POLLIN */ << 32);
                    int ms = (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds);
                    if (Poll(&pfd, 1, ms) <= 0) return false;
                    nint n = Libc.Read(_ours, p + off, buf.Length - off);
                    if (n <= 0) return false;
                    off += (int)n;
                }
            return true;
        }

        /// <summary>The next frame from the stage, within the bound.</summary>
        public (uint Type, byte[] Payload) ReadFrame()
        {
            var deadline = DateTime.UtcNow + Bound;
            var header = new byte[8];
            if (!ReadExactly(header, deadline))
                throw new AssertionException("no frame from the stage within the bound\n" + Describe());
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(header), len = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            Assert.That(len, Is.LessThan(4096u), "frame length from the stage");
            var payload = new byte[len];
            if (!ReadExactly(payload, deadline))
                throw new AssertionException("a frame from the stage was cut short\n" + Describe());
            return (type, payload);
        }

        public void AssertFailedWith(string message)
        {
            var (type, payload) = ReadFrame();
            var text = Encoding.UTF8.GetString(payload);
            Assert.That(type, Is.EqualTo(MsgError), $"expected an error frame, got {type}: {text}\n{Describe()}");
            Assert.That(text, Does.Contain(message), Describe());
            if (!_proc.WaitForExit(Bound))
                Assert.Fail("the stage did not exit after reporting its error\n" + Describe());
            Assert.That(_proc.ExitCode, Is.EqualTo(1), Describe());
        }

        public string Describe() =>
            $"stage pid {_proc.Id}, exited: {_proc.HasExited}, stderr: {(File.Exists(_stderr) ? File.ReadAllText(_stderr) : "")}";

        public void Dispose()
        {
            Libc.Close(_ours); // a stage still reading sees end-of-file and exits
            if (!_proc.WaitForExit(Bound))
            {
                _proc.Kill(entireProcessTree: true);
                _proc.WaitForExit();
            }
            _proc.Dispose();
        }
    }
}
