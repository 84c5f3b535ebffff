using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>Classic BPF opcodes (linux/filter.h) and the offsets of struct seccomp_data, for the few
/// instructions the runtime writes itself (the -ENOSYS stub).</summary>
internal static class Bpf
{
    public const ushort LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    public const ushort W = 0x00, H = 0x08, B = 0x10;
    public const ushort IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80;
    public const ushort ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
        NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    public const ushort JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    public const ushort K = 0x00, X = 0x08, A = 0x10;
    public const ushort TAX = 0x00, TXA = 0x80;

    /// <summary>struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6].</summary>
    public const uint DataNr = 0, DataArch = 4, DataIp = 8, DataArgs = 16;

    public static Libc.SockFilter Stmt(ushort code, uint k) => new() { Code = code, K = k };

    public static Libc.SockFilter Jump(ushort code, uint k, byte jt, byte jf) => new() { Code = code, K = k, Jt = jt, Jf = jf };

    public static Libc.SockFilter LoadAbs(uint offset) => Stmt(LD | W | ABS, offset);

    public static Libc.SockFilter Ret(uint action) => Stmt(RET | K, action);
}
