using System.Buffers.Binary;
using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>
/// A seccomp profile compiled in the parent: the classic BPF program (a struct sock_filter array,
/// host byte order) and the seccomp(2) flags to load it with. This is what travels to the init over
/// the init socket (<see cref="Serialize"/>), so the init loads it with one raw syscall and never
/// needs libseccomp inside the container.
/// </summary>
internal sealed class CompiledFilter
{
    /// <summary>Flags the kernel may be given; anything else in a serialized filter is refused.</summary>
    public const uint KnownFlags = Libc.SECCOMP_FILTER_FLAG_LOG | Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                                   Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER | Libc.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

    private const int HeaderSize = 12, InsnSize = 8;
    private static ReadOnlySpan<byte> Magic => "RSC1"u8;

    /// <summary>The program: <see cref="InstructionCount"/> struct sock_filter records.</summary>
    public byte[] Program { get; }

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, Flags, …).</summary>
    public uint Flags { get; }

    public int InstructionCount => Program.Length / InsnSize;

    /// <summary>The profile uses SCMP_ACT_NOTIFY: loading returns a listener fd that must reach the
    /// agent at linux.seccomp.listenerPath (<see cref="SeccompNotify"/>).</summary>
    public bool NeedsListener => (Flags & Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;

    public CompiledFilter(byte[] program, uint flags)
    {
        if (program.Length == 0 || program.Length % InsnSize != 0 || program.Length / InsnSize > Libc.BPF_MAXINSNS)
            throw new ArgumentException($"a seccomp program is 1..{Libc.BPF_MAXINSNS} instructions of {InsnSize} bytes, not {program.Length} bytes");
        if ((flags & ~KnownFlags) != 0)
            throw new ArgumentException($"unknown seccomp filter flags 0x{flags & ~KnownFlags:x}");
        Program = program;
        Flags = flags;
    }

    public Libc.SockFilter this[int index] => new()
    {
        Code = BinaryPrimitives.ReadUInt16LittleEndian(Program.AsSpan(index * InsnSize)),
        Jt = Program[index * InsnSize + 2],
        Jf = Program[index * InsnSize + 3],
        K = BinaryPrimitives.ReadUInt32LittleEndian(Program.AsSpan(index * InsnSize + 4)),
    };

    /// <summary>"RSC1", u32 flags, u16 instruction count, u16 zero, then the instructions.</summary>
    public byte[] Serialize()
    {
        var buf = new byte[HeaderSize + Program.Length];
        Magic.CopyTo(buf);
        BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(4), Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(buf.AsSpan(8), (ushort)InstructionCount);
        Program.CopyTo(buf, HeaderSize);
        return buf;
    }

    /// <summary>Parses <see cref="Serialize"/>'s output; every length and flag is checked, since the
    /// bytes cross a process boundary.</summary>
    public static CompiledFilter Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
            throw new RuntimeException($"seccomp filter message: {data.Length} bytes is shorter than its {HeaderSize}-byte header");
        if (!data[..4].SequenceEqual(Magic))
            throw new RuntimeException("seccomp filter message: bad magic");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(data[10..]) != 0)
            throw new RuntimeException("seccomp filter message: reserved header bytes are not zero");
        if ((flags & ~KnownFlags) != 0)
            throw new RuntimeException($"seccomp filter message: unknown filter flags 0x{flags & ~KnownFlags:x}");
        if (count is 0 or > Libc.BPF_MAXINSNS)
            throw new RuntimeException($"seccomp filter message: {count} instructions (must be 1..{Libc.BPF_MAXINSNS})");
        if (data.Length != HeaderSize + count * InsnSize)
            throw new RuntimeException($"seccomp filter message: {data.Length} bytes, expected {HeaderSize + count * InsnSize} for {count} instructions");
        return new CompiledFilter(data[HeaderSize..].ToArray(), flags);
    }
}
