using System.Buffers.Binary;
using System.Text;
using Runtime.Linux;

namespace Runtime.Process;

/// <summary>Message types on the init socket. 1-5 are spoken by the C stage (src/native/nsexec.h);
/// the rest by managed init.</summary>
internal enum InitMessage : uint
{
    Bootstrap = 1,
    UsermapRequest = 2,
    UsermapAck = 3,
    ChildPid = 4,
    Error = 5,
    /// <summary>parent → init: config.json bytes (create only; after Options and Seccomp).</summary>
    Config = 16,
    /// <summary>parent → init: <see cref="Init.InitOptions"/> JSON.</summary>
    Options = 17,
    /// <summary>init → parent: namespaces and mounts exist, run prestart/createRuntime hooks now.</summary>
    HooksRequest = 18,
    /// <summary>parent → init: hooks ran.</summary>
    HooksDone = 19,
    /// <summary>init → parent: set up, now waiting for `start`.</summary>
    Ready = 20,
    /// <summary>parent → init: compiled seccomp filter.</summary>
    Seccomp = 21,
    /// <summary>exec'd process → parent: about to execve (the process is running).</summary>
    Exec = 22,
    /// <summary>init → parent: u32 fd number of the seccomp notify listener in the init; the parent
    /// copies it (pidfd_getfd) to the agent at listenerPath and answers with the same type.</summary>
    SeccompListener = 23,
    /// <summary>init → parent, with --debug only: i64 wall-clock nanoseconds and the name of a stage of
    /// the init that began then; the parent writes it to its log (see <see cref="Logging.Log.StageAt"/>).</summary>
    Stage = 24,
    /// <summary>parent → init (create): the init is in its cgroup now; it mounts (cgroupfs binds follow
    /// its /proc/self/cgroup) and forks only after this.</summary>
    CgroupJoined = 25,
}

/// <summary>Framed messages (u32 type, u32 length, payload) over the init socket.</summary>
internal sealed unsafe class InitChannel(int fd) : IDisposable
{
    public const int MaxPayload = 16 << 20;

    public int Fd { get; private set; } = fd;

    /// <summary>Set in the init when the parent runs with --debug: <see cref="Stage"/> then reports.</summary>
    public bool TraceStages { get; set; }

    /// <summary>Init side: a stage begins now, or began at <paramref name="unixNanos"/>.</summary>
    public void Stage(string name, long unixNanos = 0)
    {
        if (!TraceStages)
            return;
        var payload = new byte[8 + Encoding.UTF8.GetByteCount(name)];
        BinaryPrimitives.WriteInt64LittleEndian(payload, unixNanos != 0 ? unixNanos : Logging.LocalTime.UnixNanos());
        Encoding.UTF8.GetBytes(name, payload.AsSpan(8));
        Send(InitMessage.Stage, payload);
    }

    public void Send(InitMessage type, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)payload.Length);
        WriteAll(header);
        WriteAll(payload);
    }

    public void Send(InitMessage type, string text) => Send(type, Encoding.UTF8.GetBytes(text));

    public void Send(InitMessage type) => Send(type, ReadOnlySpan<byte>.Empty);

    /// <summary>Next message, or null at end of stream (the peer exited). Stage reports go to the log on the way.</summary>
    public (InitMessage Type, byte[] Payload)? Receive()
    {
        while (true)
        {
            var msg = ReceiveFrame();
            if (msg is not { Type: InitMessage.Stage } stage)
                return msg;
            if (stage.Payload.Length >= 8)
                Logging.Log.StageAt(BinaryPrimitives.ReadInt64LittleEndian(stage.Payload), Encoding.UTF8.GetString(stage.Payload.AsSpan(8)));
        }
    }

    private (InitMessage Type, byte[] Payload)? ReceiveFrame()
    {
        Span<byte> header = stackalloc byte[8];
        if (!ReadAll(header, allowEof: true))
            return null;
        var type = (InitMessage)BinaryPrimitives.ReadUInt32LittleEndian(header);
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (len > MaxPayload)
            throw new RuntimeException($"init channel: message {type} of {len} bytes exceeds the {MaxPayload}-byte limit");
        var payload = new byte[len];
        if (!ReadAll(payload, allowEof: false))
            throw new RuntimeException($"init channel: truncated message {type}");
        return (type, payload);
    }

    /// <summary>Receives a message that must be <paramref name="expected"/>; an Error message becomes an exception.</summary>
    public byte[] Expect(InitMessage expected, string waitingFor)
    {
        var msg = Receive() ?? throw new RuntimeException($"{waitingFor}: the other side exited");
        if (msg.Type == InitMessage.Error)
            throw new RuntimeException(Encoding.UTF8.GetString(msg.Payload));
        if (msg.Type != expected)
            throw new RuntimeException($"{waitingFor}: expected {expected}, got {msg.Type}");
        return msg.Payload;
    }

    private void WriteAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            for (int off = 0; off < data.Length;)
            {
                nint n = Libc.Write(Fd, p + off, data.Length - off);
                if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                if (n == -1 && Libc.LastErrno == Errnos.EPIPE)
                    throw new RuntimeException("init channel: the other side exited");
                off += (int)Libc.Check(n, "write init channel");
            }
        }
    }

    private bool ReadAll(Span<byte> data, bool allowEof)
    {
        fixed (byte* p = data)
        {
            for (int off = 0; off < data.Length;)
            {
                nint n = Libc.Read(Fd, p + off, data.Length - off);
                if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                if (n == -1 && Libc.LastErrno == 104 /* ECONNRESET */) n = 0;
                Libc.Check(n, "read init channel");
                if (n == 0)
                {
                    if (off == 0 && allowEof) return false;
                    throw new RuntimeException("init channel: the other side exited mid-message");
                }
                off += (int)n;
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.Close(Fd);
            Fd = -1;
        }
    }
}
