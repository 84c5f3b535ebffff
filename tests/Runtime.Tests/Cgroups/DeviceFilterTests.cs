using System.Text.RegularExpressions;
using NUnit.Framework;
using Runtime.Cgroups.Devices;
using static Runtime.Tests.Cgroups.DeviceRulesTests;

namespace Runtime.Tests.Cgroups;

/// <summary>
/// The generated eBPF device filter, compared instruction by instruction with the programs runc's devicefilter
/// tests expect for the same rules (runc prints jump targets as block labels, so ours are rendered that way too).
/// </summary>
public class DeviceFilterTests
{
    private const string Prologue = """
        0: LdXMemW dst: r2 src: r1 off: 0 imm: 0
        1: AndImm32 dst: r2 imm: 65535
        2: LdXMemW dst: r3 src: r1 off: 0 imm: 0
        3: RShImm32 dst: r3 imm: 16
        4: LdXMemW dst: r4 src: r1 off: 4 imm: 0
        5: LdXMemW dst: r5 src: r1 off: 8 imm: 0
        """;

    /// <summary>Our program in runc's test notation: "block-N:" labels, and jumps as "off: -1 … &lt;block-N&gt;".</summary>
    private static string RenderLikeRunc(IReadOnlyList<BpfInstruction> program)
    {
        var starts = new List<int> { 6 };
        for (int i = 6; i < program.Count - 1; i++)
            if (program[i].ToString() == "Exit") starts.Add(i + 1);
        var lines = new List<string>();
        for (int i = 0; i < program.Count; i++)
        {
            if (starts.IndexOf(i) is var b and >= 0) lines.Add($"block-{b}:");
            var text = program[i].ToString();
            if (program[i].IsJump)
            {
                int target = starts.IndexOf(i + 1 + program[i].Off);
                Assert.That(target, Is.GreaterThanOrEqualTo(0), $"jump at {i} does not land on a block start");
                text = Regex.Replace(text, @"off: -?\d+", "off: -1") + $" <block-{target}>";
            }
            lines.Add($"{i}: {text}");
        }
        return string.Join('\n', lines);
    }

    private static string Normalize(string listing) =>
        string.Join('\n', listing.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//")));

    [Test]
    public void NoRulesDeniesEverything()
    {
        var program = DeviceFilter.Generate([]);
        Assert.That(RenderLikeRunc(program), Is.EqualTo(Normalize(Prologue + """

            block-0:
            6: MovImm32 dst: r0 imm: 0
            7: Exit
            """)));
    }

    [Test]
    public void RuncsDefaultAllowListGivesRuncsProgram()
    {
        var rules = new[]
        {
            Rule("c *:* m", true), Rule("b *:* m", true), Rule("c 1:3 rwm", true), Rule("c 1:8 rwm", true),
            Rule("c 1:7 rwm", true), Rule("c 5:0 rwm", true), Rule("c 1:5 rwm", true), Rule("c 1:9 rwm", true),
            Rule("c 136:* rwm", true), Rule("c 5:2 rwm", true), Rule("c 10:200 rwm", true),
        };
        var expected = Prologue + """

            block-0:
            6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
            7: MovReg32 dst: r1 src: r3
            8: AndImm32 dst: r1 imm: 1
            9: JNEReg dst: r1 off: -1 src: r3 <block-1>
            10: MovImm32 dst: r0 imm: 1
            11: Exit
            block-1:
            12: JNEImm dst: r2 off: -1 imm: 2 <block-2>
            13: MovReg32 dst: r1 src: r3
            14: AndImm32 dst: r1 imm: 1
            15: JNEReg dst: r1 off: -1 src: r3 <block-2>
            16: MovImm32 dst: r0 imm: 1
            17: Exit
            block-2:
            18: JNEImm dst: r2 off: -1 imm: 2 <block-3>
            19: JNEImm dst: r4 off: -1 imm: 1 <block-3>
            20: JNEImm dst: r5 off: -1 imm: 3 <block-3>
            21: MovImm32 dst: r0 imm: 1
            22: Exit
            block-3:
            23: JNEImm dst: r2 off: -1 imm: 2 <block-4>
            24: JNEImm dst: r4 off: -1 imm: 1 <block-4>
            25: JNEImm dst: r5 off: -1 imm: 5 <block-4>
            26: MovImm32 dst: r0 imm: 1
            27: Exit
            block-4:
            28: JNEImm dst: r2 off: -1 imm: 2 <block-5>
            29: JNEImm dst: r4 off: -1 imm: 1 <block-5>
            30: JNEImm dst: r5 off: -1 imm: 7 <block-5>
            31: MovImm32 dst: r0 imm: 1
            32: Exit
            block-5:
            33: JNEImm dst: r2 off: -1 imm: 2 <block-6>
            34: JNEImm dst: r4 off: -1 imm: 1 <block-6>
            35: JNEImm dst: r5 off: -1 imm: 8 <block-6>
            36: MovImm32 dst: r0 imm: 1
            37: Exit
            block-6:
            38: JNEImm dst: r2 off: -1 imm: 2 <block-7>
            39: JNEImm dst: r4 off: -1 imm: 1 <block-7>
            40: JNEImm dst: r5 off: -1 imm: 9 <block-7>
            41: MovImm32 dst: r0 imm: 1
            42: Exit
            block-7:
            43: JNEImm dst: r2 off: -1 imm: 2 <block-8>
            44: JNEImm dst: r4 off: -1 imm: 5 <block-8>
            45: JNEImm dst: r5 off: -1 imm: 0 <block-8>
            46: MovImm32 dst: r0 imm: 1
            47: Exit
            block-8:
            48: JNEImm dst: r2 off: -1 imm: 2 <block-9>
            49: JNEImm dst: r4 off: -1 imm: 5 <block-9>
            50: JNEImm dst: r5 off: -1 imm: 2 <block-9>
            51: MovImm32 dst: r0 imm: 1
            52: Exit
            block-9:
            53: JNEImm dst: r2 off: -1 imm: 2 <block-10>
            54: JNEImm dst: r4 off: -1 imm: 10 <block-10>
            55: JNEImm dst: r5 off: -1 imm: 200 <block-10>
            56: MovImm32 dst: r0 imm: 1
            57: Exit
            block-10:
            58: JNEImm dst: r2 off: -1 imm: 2 <block-11>
            59: JNEImm dst: r4 off: -1 imm: 136 <block-11>
            60: MovImm32 dst: r0 imm: 1
            61: Exit
            block-11:
            62: MovImm32 dst: r0 imm: 0
            63: Exit
            """;
        Assert.That(RenderLikeRunc(DeviceFilter.Generate([DeviceRule.AllDevices(false), .. rules])), Is.EqualTo(Normalize(expected)));
    }

    [Test]
    public void PrivilegedAllowsEverything()
    {
        Assert.That(RenderLikeRunc(DeviceFilter.Generate([DeviceRule.AllDevices(true)])), Is.EqualTo(Normalize(Prologue + """

            block-0:
            6: MovImm32 dst: r0 imm: 1
            7: Exit
            """)));
    }

    [Test]
    public void AllowAllButOneDeviceDeniesJustThat()
    {
        var program = DeviceFilter.Generate([DeviceRule.AllDevices(true), Rule("b 8:0 rwm", false)]);
        Assert.That(RenderLikeRunc(program), Is.EqualTo(Normalize(Prologue + """

            block-0:
            6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
            7: JNEImm dst: r4 off: -1 imm: 8 <block-1>
            8: JNEImm dst: r5 off: -1 imm: 0 <block-1>
            9: MovImm32 dst: r0 imm: 0
            10: Exit
            block-1:
            11: MovImm32 dst: r0 imm: 1
            12: Exit
            """)));
    }

    [Test]
    public void RulesBeforeAnAllowAllAreForgottenLikeInV1()
    {
        // runc's "weird" case: 8:1 is allowed (the allow-all reset its denial), 8:2 is not.
        var program = DeviceFilter.Generate([Rule("b 8:1 rwm", false), DeviceRule.AllDevices(true), Rule("b 8:2 rwm", false)]);
        Assert.That(RenderLikeRunc(program), Is.EqualTo(Normalize(Prologue + """

            block-0:
            6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
            7: JNEImm dst: r4 off: -1 imm: 8 <block-1>
            8: JNEImm dst: r5 off: -1 imm: 2 <block-1>
            9: MovImm32 dst: r0 imm: 0
            10: Exit
            block-1:
            11: MovImm32 dst: r0 imm: 1
            12: Exit
            """)));
    }

    [Test]
    public void JumpOffsetsAndEncodingAreWhatTheKernelReads()
    {
        var program = DeviceFilter.Generate([Rule("c 1:3 rw", true)]);
        Assert.That(DeviceFilter.Disassemble(program).Split('\n')[6..], Is.EqualTo(new[]
        {
            "6: JNEImm dst: r2 off: 7 imm: 2",      // → 14, the default
            "7: MovReg32 dst: r1 src: r3",
            "8: AndImm32 dst: r1 imm: 6",           // read | write
            "9: JNEReg dst: r1 off: 4 src: r3",
            "10: JNEImm dst: r4 off: 3 imm: 1",
            "11: JNEImm dst: r5 off: 2 imm: 3",
            "12: MovImm32 dst: r0 imm: 1",
            "13: Exit",
            "14: MovImm32 dst: r0 imm: 0",
            "15: Exit",
        }), DeviceFilter.Disassemble(program));
        var bytes = BpfInstruction.Encode(program);
        Assert.That(bytes, Has.Length.EqualTo(program.Count * 8));
        // ldxw r2, [r1+0]: code 0x61, dst 2 | src 1 << 4
        Assert.That(bytes[..8], Is.EqualTo(new byte[] { 0x61, 0x12, 0, 0, 0, 0, 0, 0 }));
        // jne r2, 2, +7: code 0x55, dst 2, off 7 (LE), imm 2 (LE)
        Assert.That(bytes[48..56], Is.EqualTo(new byte[] { 0x55, 0x02, 7, 0, 2, 0, 0, 0 }));
        // w0 = 1; exit
        Assert.That(bytes[96..104], Is.EqualTo(new byte[] { 0xb4, 0x00, 0, 0, 1, 0, 0, 0 }));
        Assert.That(bytes[^8..], Is.EqualTo(new byte[] { 0x95, 0, 0, 0, 0, 0, 0, 0 }));
    }
}
