using System.Buffers.Binary;

namespace Runtime.Cgroups.Devices;

/// <summary>
/// One eBPF instruction (struct bpf_insn: u8 code, u4 dst, u4 src, s16 off, s32 imm), only the handful of
/// opcodes the device filter needs. <see cref="ToString"/> prints them the way cilium/ebpf (and so runc's
/// devicefilter tests) do, which keeps the generated programs easy to compare with runc's.
/// </summary>
public readonly record struct BpfInstruction(byte Code, byte Dst, byte Src, short Off, int Imm)
{
    // Instruction classes, operations and sources from linux/bpf_common.h and linux/bpf.h.
    private const byte Ldx = 0x01, Alu = 0x04, Jmp = 0x05;
    private const byte MemW = 0x60 | 0x00; // BPF_MEM | BPF_W
    private const byte And = 0x50, Rsh = 0x70, Mov = 0xb0;
    private const byte Jne = 0x50, Exit = 0x90;
    private const byte K = 0x00, X = 0x08;

    public const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    /// <summary>dst = *(u32 *)(src + off)</summary>
    public static BpfInstruction LoadWord(byte dst, byte src, short off) => new(Ldx | MemW, dst, src, off, 0);
    /// <summary>(u32) dst &amp;= imm</summary>
    public static BpfInstruction And32(byte dst, int imm) => new(Alu | And | K, dst, 0, 0, imm);
    /// <summary>(u32) dst &gt;&gt;= imm</summary>
    public static BpfInstruction RightShift32(byte dst, int imm) => new(Alu | Rsh | K, dst, 0, 0, imm);
    /// <summary>(u32) dst = src</summary>
    public static BpfInstruction Move32(byte dst, byte src) => new(Alu | Mov | X, dst, src, 0, 0);
    /// <summary>(u32) dst = imm</summary>
    public static BpfInstruction Move32(byte dst, int imm) => new(Alu | Mov | K, dst, 0, 0, imm);
    /// <summary>if dst != imm goto pc + 1 + off</summary>
    public static BpfInstruction JumpIfNotEqual(byte dst, int imm, short off) => new(Jmp | Jne | K, dst, 0, off, imm);
    /// <summary>if dst != src goto pc + 1 + off</summary>
    public static BpfInstruction JumpIfNotEqual(byte dst, byte src, short off) => new(Jmp | Jne | X, dst, src, off, 0);
    public static BpfInstruction Return() => new(Jmp | Exit, 0, 0, 0, 0);

    public bool IsJump => (Code & 0x07) == Jmp && (Code & 0xf0) != Exit;

    public BpfInstruction WithOffset(short off) => this with { Off = off };

    /// <summary>The 8 bytes the kernel reads (little-endian, as every architecture we build for).</summary>
    public void WriteTo(Span<byte> dest)
    {
        dest[0] = Code;
        dest[1] = (byte)((Dst & 0x0f) | ((Src & 0x0f) << 4));
        BinaryPrimitives.WriteInt16LittleEndian(dest[2..], Off);
        BinaryPrimitives.WriteInt32LittleEndian(dest[4..], Imm);
    }

    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++) program[i].WriteTo(bytes.AsSpan(i * 8, 8));
        return bytes;
    }

    public override string ToString() => Code switch
    {
        Ldx | MemW => $"LdXMemW dst: r{Dst} src: r{Src} off: {Off} imm: {Imm}",
        Alu | And | K => $"AndImm32 dst: r{Dst} imm: {Imm}",
        Alu | Rsh | K => $"RShImm32 dst: r{Dst} imm: {Imm}",
        Alu | Mov | X => $"MovReg32 dst: r{Dst} src: r{Src}",
        Alu | Mov | K => $"MovImm32 dst: r{Dst} imm: {Imm}",
        Jmp | Jne | K => $"JNEImm dst: r{Dst} off: {Off} imm: {Imm}",
        Jmp | Jne | X => $"JNEReg dst: r{Dst} off: {Off} src: r{Src}",
        Jmp | Exit => "Exit",
        _ => $"code 0x{Code:x2} dst: r{Dst} src: r{Src} off: {Off} imm: {Imm}",
    };
}
