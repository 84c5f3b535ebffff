using System.Buffers.Binary;
using Runtime.Linux;
using Runtime.Seccomp;

namespace Runtime.Tests.Seccomp;

/// <summary>
/// A classic-BPF interpreter restricted to what the kernel's seccomp_check_filter accepts, so a
/// compiled program can be run against synthetic struct seccomp_data (arch, nr, args) and its
/// verdict asserted, without loading it anywhere. Opcodes are spelled out here rather than taken
/// from the code under test, and anything the kernel would refuse throws.
/// </summary>
internal static class BpfInterpreter
{
    public const uint AuditArchX86_64 = 0xc000003e, AuditArchI386 = 0x40000003, AuditArchAarch64 = 0xc00000b7,
        AuditArchS390X = 0x80000016;
    public const uint X32Bit = 0x40000000;

    /// <summary>struct seccomp_data, little endian.</summary>
    public static byte[] Data(int nr, uint arch = AuditArchX86_64, params ulong[] args)
    {
        var d = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(d, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(4), arch);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(8), 0x401000); // instruction_pointer
        for (int i = 0; i < args.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(16 + 8 * i), args[i]);
        return d;
    }

    public static uint Run(CompiledFilter filter, int nr, uint arch = AuditArchX86_64, params ulong[] args) =>
        Run(filter, Data(nr, arch, args));

    public static uint Run(CompiledFilter filter, byte[] data)
    {
        int len = filter.InstructionCount;
        uint a = 0, x = 0;
        var mem = new uint[16];
        for (int pc = 0; ;)
        {
            if (pc < 0 || pc >= len)
                throw new InvalidOperationException($"pc {pc} ran off the {len}-instruction program");
            Libc.SockFilter i = filter[pc];
            pc++;
            switch (i.Code)
            {
                case 0x20: // ld [k]
                    if (i.K % 4 != 0 || i.K + 4 > data.Length)
                        throw new InvalidOperationException($"misaligned or out-of-range load [{i.K}]");
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)i.K));
                    break;
                case 0x80: a = (uint)data.Length; break;             // ld len
                case 0x81: x = (uint)data.Length; break;             // ldx len
                case 0x00: a = i.K; break;                           // ld #k
                case 0x01: x = i.K; break;                           // ldx #k
                case 0x60: a = mem[Slot(i.K)]; break;                // ld M[k]
                case 0x61: x = mem[Slot(i.K)]; break;                // ldx M[k]
                case 0x02: mem[Slot(i.K)] = a; break;                // st M[k]
                case 0x03: mem[Slot(i.K)] = x; break;                // stx M[k]
                case 0x07: x = a; break;                             // tax
                case 0x87: a = x; break;                             // txa
                case 0x06: return i.K;                               // ret #k
                case 0x16: return a;                                 // ret a
                case 0x05: pc += (int)i.K; break;                    // ja
                case 0x15: pc += a == i.K ? i.Jt : i.Jf; break;      // jeq #k
                case 0x1d: pc += a == x ? i.Jt : i.Jf; break;        // jeq x
                case 0x25: pc += a > i.K ? i.Jt : i.Jf; break;       // jgt #k
                case 0x2d: pc += a > x ? i.Jt : i.Jf; break;         // jgt x
                case 0x35: pc += a >= i.K ? i.Jt : i.Jf; break;      // jge #k
                case 0x3d: pc += a >= x ? i.Jt : i.Jf; break;        // jge x
                case 0x45: pc += (a & i.K) != 0 ? i.Jt : i.Jf; break; // jset #k
                case 0x4d: pc += (a & x) != 0 ? i.Jt : i.Jf; break;  // jset x
                default:
                    if ((i.Code & 0x07) == 0x04) // alu
                    {
                        a = Alu(i.Code, a, (i.Code & 0x08) != 0 ? x : i.K);
                        break;
                    }
                    throw new InvalidOperationException($"opcode 0x{i.Code:x2} at {pc - 1} is not allowed in a seccomp filter");
            }
        }
    }

    private static int Slot(uint k) => k < 16 ? (int)k : throw new InvalidOperationException($"scratch slot {k} out of range");

    private static uint Alu(ushort code, uint a, uint v) => (code & 0xf0) switch
    {
        0x00 => a + v,
        0x10 => a - v,
        0x20 => a * v,
        0x30 => v == 0 ? throw new InvalidOperationException("division by zero") : a / v,
        0x40 => a | v,
        0x50 => a & v,
        0x60 => v >= 32 ? 0 : a << (int)v,
        0x70 => v >= 32 ? 0 : a >> (int)v,
        0x80 => (uint)-(int)a,
        0xa0 => a ^ v,
        _ => throw new InvalidOperationException($"alu opcode 0x{code:x2} is not allowed in a seccomp filter"),
    };
}
