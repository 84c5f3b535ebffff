namespace Runtime.Cgroups.Devices;

/// <summary>
/// Generates the BPF_PROG_TYPE_CGROUP_DEVICE program that enforces the spec's device rules on cgroup v2.
///
/// The kernel calls it with struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } in r1, where
/// access_type is (BPF_DEVCG_ACC_* &lt;&lt; 16) | BPF_DEVCG_DEV_*; returning 1 allows the access, 0 denies it.
/// The rules first go through <see cref="DeviceEmulator"/>, so v2 behaves exactly like v1 would: what is left is
/// a default plus exceptions that all carry the opposite action, one block each:
///
///   r2 = type, r3 = access, r4 = major, r5 = minor
///   block i: if r2 != type goto next; [if (r3 &amp; access) != r3 goto next;] [if r4 != major goto next;]
///            [if r5 != minor goto next;] r0 = action; exit
///   last:    r0 = default; exit
/// </summary>
public static class DeviceFilter
{
    public const string License = "Apache";

    // BPF_DEVCG_DEV_* and BPF_DEVCG_ACC_* from linux/bpf.h.
    private const int DevBlock = 1, DevChar = 2;
    private const int AccMknod = 1, AccRead = 2, AccWrite = 4;

    public static IReadOnlyList<BpfInstruction> Generate(IReadOnlyList<DeviceRule> rules) =>
        Generate(DeviceEmulator.FromRules(rules));

    public static IReadOnlyList<BpfInstruction> Generate(DeviceEmulator state)
    {
        var program = new List<BpfInstruction>
        {
            BpfInstruction.LoadWord(BpfInstruction.R2, BpfInstruction.R1, 0),
            BpfInstruction.And32(BpfInstruction.R2, 0xFFFF),
            BpfInstruction.LoadWord(BpfInstruction.R3, BpfInstruction.R1, 0),
            BpfInstruction.RightShift32(BpfInstruction.R3, 16),
            BpfInstruction.LoadWord(BpfInstruction.R4, BpfInstruction.R1, 4),
            BpfInstruction.LoadWord(BpfInstruction.R5, BpfInstruction.R1, 8),
        };
        foreach (var rule in state.Rules())
        {
            if (rule.Type == 'a') continue; // the leading switch to allow-all is the default below
            AppendBlock(program, rule);
        }
        program.Add(BpfInstruction.Move32(BpfInstruction.R0, state.DefaultAllow ? 1 : 0));
        program.Add(BpfInstruction.Return());
        return program;
    }

    private static void AppendBlock(List<BpfInstruction> program, DeviceRule rule)
    {
        int start = program.Count;
        program.Add(BpfInstruction.JumpIfNotEqual(BpfInstruction.R2, rule.Type == 'b' ? DevBlock : DevChar, 0));
        int access = ((rule.Access & DeviceAccess.Read) != 0 ? AccRead : 0) |
                     ((rule.Access & DeviceAccess.Write) != 0 ? AccWrite : 0) |
                     ((rule.Access & DeviceAccess.Mknod) != 0 ? AccMknod : 0);
        if (access != (AccRead | AccWrite | AccMknod))
        {
            // Matches when every requested access bit is within the rule's (r1 is free after the loads).
            program.Add(BpfInstruction.Move32(BpfInstruction.R1, BpfInstruction.R3));
            program.Add(BpfInstruction.And32(BpfInstruction.R1, access));
            program.Add(BpfInstruction.JumpIfNotEqual(BpfInstruction.R1, BpfInstruction.R3, 0));
        }
        if (rule.Major != DeviceRule.Wildcard)
            program.Add(BpfInstruction.JumpIfNotEqual(BpfInstruction.R4, unchecked((int)(uint)rule.Major), 0));
        if (rule.Minor != DeviceRule.Wildcard)
            program.Add(BpfInstruction.JumpIfNotEqual(BpfInstruction.R5, unchecked((int)(uint)rule.Minor), 0));
        program.Add(BpfInstruction.Move32(BpfInstruction.R0, rule.Allow ? 1 : 0));
        program.Add(BpfInstruction.Return());

        // Every "goto next" lands on the first instruction after this block.
        int next = program.Count;
        for (int i = start; i < next; i++)
            if (program[i].IsJump)
                program[i] = program[i].WithOffset(checked((short)(next - (i + 1))));
    }

    /// <summary>One instruction per line, numbered; what tests and error messages show.</summary>
    public static string Disassemble(IReadOnlyList<BpfInstruction> program) =>
        string.Join('\n', program.Select((insn, i) => $"{i}: {insn}"));
}
