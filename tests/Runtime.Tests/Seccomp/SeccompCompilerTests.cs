using NUnit.Framework;
using Runtime.Seccomp;
using Runtime.Spec;
using static Runtime.Tests.Seccomp.BpfInterpreter;
using static Runtime.Tests.Seccomp.Profiles;

namespace Runtime.Tests.Seccomp;

/// <summary>Compiles profiles with libseccomp and runs the resulting BPF against synthetic syscalls:
/// the verdicts asserted here are what the kernel would return for the container.</summary>
public class SeccompCompilerTests
{
    private static CompiledFilter Compile(string json) => SeccompCompiler.Compile(Parse(json))!;

    private static string CompileError(string json) =>
        Assert.Throws<RuntimeException>(() => SeccompCompiler.Compile(Parse(json)))!.Message;

    [Test]
    public void NoProfileOrAnEmptyOneMeansNoFilter()
    {
        Assert.That(SeccompCompiler.Compile(null), Is.Null);
        Assert.That(SeccompCompiler.Compile(Parse("{}")), Is.Null);
        Assert.That(SeccompCompiler.Compile(Parse("""{"syscalls":[]}""")), Is.Null);
    }

    [TestCase("SCMP_ACT_KILL", KillThread)]
    [TestCase("SCMP_ACT_KILL_THREAD", KillThread)]
    [TestCase("SCMP_ACT_KILL_PROCESS", KillProcess)]
    [TestCase("SCMP_ACT_TRAP", Trap)]
    [TestCase("SCMP_ACT_ERRNO", Errno | EPERM)]
    [TestCase("SCMP_ACT_TRACE", Trace | EPERM)]
    [TestCase("SCMP_ACT_LOG", Log)]
    [TestCase("SCMP_ACT_NOTIFY", Notify)]
    public void EveryActionIsWhatTheMatchingSyscallGets(string action, uint expected)
    {
        var f = Compile($$"""
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock",
             "syscalls":[{"names":["getcwd"],"action":"{{action}}"}]}
            """);
        Assert.That(Run(f, Getcwd), Is.EqualTo(expected));
        Assert.That(Run(f, Read), Is.EqualTo(Allow));
        Assert.That(Run(f, Mkdir), Is.EqualTo(Allow));
        Assert.That(f.NeedsListener, Is.EqualTo(action == "SCMP_ACT_NOTIFY"));
    }

    [Test]
    public void AllowRulesUnderADenyingDefault()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","getcwd"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        Assert.That(Run(f, Read), Is.EqualTo(Allow));
        Assert.That(Run(f, Write), Is.EqualTo(Allow));
        Assert.That(Run(f, Getcwd), Is.EqualTo(Allow));
        Assert.That(Run(f, Uname), Is.EqualTo(Errno | EPERM));
    }

    [Test]
    public void ErrnoRetAndDefaultErrnoRetAreReturned()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":6,
             "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},
                         {"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":100},
                         {"names":["chmod"],"action":"SCMP_ACT_TRACE","errnoRet":7}]}
            """);
        Assert.That(Run(f, Read), Is.EqualTo(Allow));
        Assert.That(Run(f, Mkdir), Is.EqualTo(Errno | 100));
        Assert.That(Run(f, Chmod), Is.EqualTo(Trace | 7));
        Assert.That(Run(f, Uname), Is.EqualTo(Errno | 6), "defaultErrnoRet");
    }

    [Test]
    public void ARuleWithTheDefaultActionIsDroppedNotRefused()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO"},
                                                          {"names":["read"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        Assert.That(Run(f, Uname), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, Read), Is.EqualTo(Allow));
    }

    private static readonly ulong[] ArgValues =
    {
        0, 1, 4, 5, 6, 0xff, 0xffffffff, 0x100000000, 0x100000004, 0x100000005, 0x100000006, 0xffffffffffffffff,
    };

    private static bool Holds(string op, ulong arg, ulong value, ulong valueTwo) => op switch
    {
        "SCMP_CMP_NE" => arg != value,
        "SCMP_CMP_LT" => arg < value,
        "SCMP_CMP_LE" => arg <= value,
        "SCMP_CMP_EQ" => arg == value,
        "SCMP_CMP_GE" => arg >= value,
        "SCMP_CMP_GT" => arg > value,
        "SCMP_CMP_MASKED_EQ" => (arg & value) == valueTwo,
        _ => throw new ArgumentException(op),
    };

    [Test]
    public void EveryOperatorComparesAll64Bits(
        [Values("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ")] string op,
        [Values(5UL, 0x100000005UL)] ulong value,
        [Values(1, 3)] int index)
    {
        ulong valueTwo = op == "SCMP_CMP_MASKED_EQ" ? (value & 0x100000004) : 0;
        var f = Compile($$"""
            {"defaultAction":"SCMP_ACT_ALLOW",
             "syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":33,
                          "args":[{"index":{{index}},"value":{{value}},"valueTwo":{{valueTwo}},"op":"{{op}}"}]}]}
            """);
        foreach (var arg in ArgValues)
        {
            var args = new ulong[6];
            args[index] = arg;
            args[index == 1 ? 3 : 1] = value; // the other argument must not matter
            uint expected = Holds(op, arg, value, valueTwo) ? Errno | 33 : Allow;
            Assert.That(Run(f, Personality, AuditArchX86_64, args), Is.EqualTo(expected), $"{op} arg{index}={arg:x} value={value:x} valueTwo={valueTwo:x}");
        }
        Assert.That(Run(f, Uname), Is.EqualTo(Allow));
    }

    [Test]
    public void ConditionsOnDifferentArgumentsAllHaveToHold()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpriority"],"action":"SCMP_ACT_ERRNO",
              "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]}]}
            """);
        Assert.That(Run(f, Getpriority, AuditArchX86_64, 1, 2), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, Getpriority, AuditArchX86_64, 1, 3), Is.EqualTo(Allow));
        Assert.That(Run(f, Getpriority, AuditArchX86_64, 0, 2), Is.EqualTo(Allow));
    }

    [Test]
    public void ConditionsRepeatingAnArgumentAreAlternatives()
    {
        // runc's rule: two conditions on one argument become two rules (either matches).
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpriority"],"action":"SCMP_ACT_ERRNO",
              "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}
            """);
        Assert.That(Run(f, Getpriority, AuditArchX86_64, 1), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, Getpriority, AuditArchX86_64, 2), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, Getpriority, AuditArchX86_64, 0), Is.EqualTo(Allow));
    }

    [Test]
    public void EachListedArchitectureIsFilteredWithItsOwnNumbers()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86","SCMP_ARCH_X86_64","SCMP_ARCH_X32"],
             "syscalls":[{"names":["getcwd","mkdir"],"action":"SCMP_ACT_ERRNO"}]}
            """);
        Assert.That(Run(f, Getcwd), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, I386Getcwd, AuditArchI386), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, I386Mkdir, AuditArchI386), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, Getcwd, AuditArchI386), Is.EqualTo(Allow), "79 is not getcwd on i386");
        Assert.That(Run(f, (int)(X32Bit | Getcwd)), Is.EqualTo(Errno | EPERM), "x32");
        Assert.That(Run(f, (int)(X32Bit | Uname)), Is.EqualTo(Allow), "x32");
        Assert.That(Run(f, Getcwd, AuditArchAarch64), Is.EqualTo(KillThread), "an architecture not in the filter");
    }

    [Test]
    public void AnArchitectureNotListedIsKilled()
    {
        var f = Compile("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO"}]}""");
        Assert.That(Run(f, I386Getcwd, AuditArchI386), Is.EqualTo(KillThread));
        Assert.That(Run(f, (int)(X32Bit | Uname)), Is.EqualTo(KillThread), "x32 calls when only x86_64 is filtered");
        Assert.That(Run(f, Getcwd), Is.EqualTo(Errno | EPERM));
    }

    [Test]
    public void UnknownSyscallNamesAreSkipped()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["no_such_syscall","getcwd","socketcall"],"action":"SCMP_ACT_ERRNO"}]}
            """);
        Assert.That(Run(f, Getcwd), Is.EqualTo(Errno | EPERM));
        Assert.That(Run(f, Uname), Is.EqualTo(Allow));
    }

    [Test]
    public void SyscallsNewerThanTheProfileGetEnosysUnderADenyingDefault()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","getcwd"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        Assert.That(Run(f, Getcwd), Is.EqualTo(Allow), "the largest syscall named");
        Assert.That(Run(f, Uname), Is.EqualTo(Errno | EPERM), "known to the profile's era, not allowed");
        Assert.That(Run(f, Getcwd + 1), Is.EqualTo(Errno | ENOSYS));
        Assert.That(Run(f, Clone3), Is.EqualTo(Errno | ENOSYS));
    }

    [Test]
    public void TheEnosysStubHandlesX32()
    {
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_KILL_PROCESS","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X32","SCMP_ARCH_X86"],
             "syscalls":[{"names":["read","getcwd"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        Assert.That(Run(f, Getcwd), Is.EqualTo(Allow));
        Assert.That(Run(f, Uname), Is.EqualTo(KillProcess));
        Assert.That(Run(f, Clone3), Is.EqualTo(Errno | ENOSYS));
        Assert.That(Run(f, (int)(X32Bit | Getcwd)), Is.EqualTo(Allow), "x32");
        Assert.That(Run(f, (int)(X32Bit | Uname)), Is.EqualTo(KillProcess), "x32");
        Assert.That(Run(f, (int)(X32Bit | 547)), Is.EqualTo(Errno | ENOSYS), "x32 above its largest");
        Assert.That(Run(f, I386Getcwd, AuditArchI386), Is.EqualTo(Allow), "i386");
        Assert.That(Run(f, I386Getcwd + 1, AuditArchI386), Is.EqualTo(Errno | ENOSYS), "i386");
        Assert.That(Run(f, I386Mkdir, AuditArchI386), Is.EqualTo(KillProcess), "i386");
    }

    [Test]
    public void TheEnosysStubSendsS390XsMultiplexerToEnosys()
    {
        // s390x cannot share a filter with x86_64 (byte order), so the stub is run on its own,
        // in front of a program that allows everything.
        var stub = EnosysStub.Build(new Dictionary<uint, uint> { [AuditArchS390X] = S390XGetcwd });
        var tail = new[] { new global::Runtime.Linux.Libc.SockFilter { Code = 0x06, K = Allow } };
        var bytes = stub.Concat(tail).SelectMany(i => BitConverter.GetBytes(i.Code).Concat(new[] { i.Jt, i.Jf }).Concat(BitConverter.GetBytes(i.K))).ToArray();
        var f = new CompiledFilter(bytes, 0);
        Assert.That(Run(f, S390XGetcwd, AuditArchS390X), Is.EqualTo(Allow));
        Assert.That(Run(f, S390XGetcwd + 1, AuditArchS390X), Is.EqualTo(Errno | ENOSYS));
        Assert.That(Run(f, 0, AuditArchS390X), Is.EqualTo(Errno | ENOSYS), "syscall 0 carries the unknown ones");
        Assert.That(Run(f, 100, AuditArchS390X), Is.EqualTo(Allow));
        Assert.That(Run(f, 1000, AuditArchX86_64), Is.EqualTo(Allow), "other architectures go straight to the filter");
    }

    [Test]
    public void AnArchitectureOfTheOtherByteOrderIsRefused()
    {
        Assert.That(CompileError("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_S390X"]}"""),
            Is.EqualTo("linux.seccomp.architectures[1]: SCMP_ARCH_S390X cannot share a filter with this host's architecture (different byte order)"));
    }

    [TestCase("SCMP_ACT_ALLOW")]
    [TestCase("SCMP_ACT_LOG")]
    public void NoEnosysStubUnderAPermissiveDefault(string defaultAction)
    {
        var f = Compile($$"""{"defaultAction":"{{defaultAction}}","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO"}]}""");
        Assert.That(Run(f, Clone3), Is.EqualTo(defaultAction == "SCMP_ACT_LOG" ? Log : Allow));
    }

    [Test]
    public void LongProfilesUseTheTreeAndStayExact()
    {
        // > 32 rules switch libseccomp to binary-tree dispatch (SCMP_FLTATR_CTL_OPTIMIZE=2).
        int[] allowed = Enumerable.Range(0, 200).Where(n => n % 3 == 0).ToArray();
        var names = allowed.Select(X86_64Name).OfType<string>().ToList();
        var json = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[" +
                   string.Join(",", names.Select(n => $"\"{n}\"")) + "],\"action\":\"SCMP_ACT_ALLOW\"}]}";
        var f = Compile(json);
        int max = allowed.Where(n => X86_64Name(n) != null).Max();
        for (int nr = 0; nr < 300; nr++)
        {
            uint expected = X86_64Name(nr) is { } name && names.Contains(name) ? Allow : nr > max ? Errno | ENOSYS : Errno | EPERM;
            Assert.That(Run(f, nr), Is.EqualTo(expected), $"syscall {nr} ({X86_64Name(nr)})");
        }
    }

    [Test]
    public void PseudoFilterCodeShowsTheRules()
    {
        var pfc = SeccompCompiler.ExportPfc(Parse("""
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO","errnoRet":100}]}
            """));
        Assert.That(pfc, Does.Contain("if ($syscall == 79)"));
        Assert.That(pfc, Does.Contain("action ERRNO(100);"));
        Assert.That(pfc, Does.Contain("action ALLOW;"));
    }

    // ---- flags

    [Test]
    public void FlagsDefaultToSpecAllowWhenTheFieldIsAbsent()
    {
        Assume.That(SeccompKernel.FlagSupported(4), "kernel without SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        Assert.That(Compile("""{"defaultAction":"SCMP_ACT_ALLOW"}""").Flags, Is.EqualTo(4u));
        Assert.That(Compile("""{"defaultAction":"SCMP_ACT_ALLOW","flags":[]}""").Flags, Is.EqualTo(0u));
    }

    [TestCase("\"SECCOMP_FILTER_FLAG_TSYNC\"", 0u)]
    [TestCase("\"SECCOMP_FILTER_FLAG_LOG\"", 2u)]
    [TestCase("\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"", 4u)]
    [TestCase("\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"", 6u)]
    public void FlagsBecomeSeccompFlagBits(string flags, uint expected)
    {
        Assert.That(Compile($$"""{"defaultAction":"SCMP_ACT_ALLOW","flags":[{{flags}}]}""").Flags, Is.EqualTo(expected));
    }

    [Test]
    public void NotifyAddsTheListenerFlagAndWaitKillableRecvGoesWithIt()
    {
        Assume.That(SeccompKernel.FlagSupported(32), "kernel without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19)");
        var f = Compile("""
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
             "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}
            """);
        Assert.That(f.Flags, Is.EqualTo(40u), "NEW_LISTENER | WAIT_KILLABLE_RECV, as runc's test expects");
        Assert.That(f.NeedsListener);
    }

    // ---- errors name the field

    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO"},{"names":["getcwd"],"action":"SCMP_ACT_FOO"}]}""",
        "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"")]
    [TestCase("""{"defaultAction":"SCMP_ACT_NOPE"}""", "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"")]
    [TestCase("""{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}""", "linux.seccomp.defaultAction: required")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"]}]}""", "linux.seccomp.syscalls[0].action: required")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_FOO"}]}]}""",
        "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":1,"op":"SCMP_CMP_EQ"},{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}""",
        "linux.seccomp.syscalls[0].args[1].index: 6 is out of range (a syscall has arguments 0-5)")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_FOO"]}""",
        "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_FOO"]}""",
        "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_KILL","errnoRet":1}]}""",
        "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL does not return an errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1}""",
        "linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW does not return an errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":65536}""",
        "linux.seccomp.defaultErrnoRet: 65536 does not fit in the 16 bits seccomp returns")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]}""",
        "linux.seccomp.syscalls[0].names: must contain at least one syscall name")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read",""],"action":"SCMP_ACT_ERRNO"}]}""",
        "linux.seccomp.syscalls[0].names[1]: empty string is not a valid syscall")]
    [TestCase("""{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/a"}""",
        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/a","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_NOTIFY"}]}""",
        "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for the write syscall")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}""",
        "linux.seccomp.listenerPath: required when a syscall uses SCMP_ACT_NOTIFY")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","listenerMetadata":"x"}""",
        "linux.seccomp.listenerMetadata: must not be set without listenerPath")]
    [TestCase("""{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}""",
        "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only applies to a notify listener: no syscall uses SCMP_ACT_NOTIFY")]
    public void BadProfilesAreRefusedNamingTheField(string json, string message)
    {
        Assert.That(CompileError(json), Is.EqualTo(message));
    }

    [Test]
    public void AnArchitectureThisLibseccompLacksIsNamed()
    {
        // SCMP_ARCH_SHEB arrived in libseccomp 2.6; with an older one the error says so.
        Assume.That(global::Runtime.Linux.Libc.ScmpArchResolveName("sheb"), Is.EqualTo(0u), "this libseccomp knows sheb");
        Assert.That(CompileError("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_SHEB"]}"""),
            Does.StartWith("linux.seccomp.architectures[0]: SCMP_ARCH_SHEB is not supported by libseccomp 2."));
    }

    [Test]
    public void FeaturesListWhatConfigsMayUse()
    {
        var f = SeccompFeatureSet.Support();
        Assert.That(f.Enabled, Is.True);
        Assert.That(f.Actions, Is.EquivalentTo(new[]
        {
            "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
        }));
        Assert.That(f.Operators, Is.EquivalentTo(new[]
        {
            "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
        }));
        Assert.That(f.Archs, Does.Contain("SCMP_ARCH_X86_64").And.Contain("SCMP_ARCH_X86").And.Contain("SCMP_ARCH_AARCH64"));
        Assert.That(f.KnownFlags, Is.EqualTo(new[]
        {
            "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        }));
        Assert.That(f.SupportedFlags, Is.SubsetOf(f.KnownFlags).And.Contain("SECCOMP_FILTER_FLAG_TSYNC"));
        // Every arch and operator listed really compiles.
        foreach (var arch in f.Archs)
        {
            var json = $$"""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["{{arch}}"]}""";
            try
            {
                Compile(json);
            }
            catch (RuntimeException e)
            {
                Assert.That(e.Message, Does.EndWith("cannot share a filter with this host's architecture (different byte order)"), arch);
            }
        }
        foreach (var flag in f.SupportedFlags.Where(x => !x.Contains("WAIT_KILLABLE")))
            Assert.DoesNotThrow(() => Compile($$"""{"defaultAction":"SCMP_ACT_ALLOW","flags":["{{flag}}"]}"""), flag);
        Assert.That(f.LibseccompVersion, Does.Match(@"^2\.\d+\.\d+$"));
        // Fed to the features document, it shows up as runc shows it.
        var doc = FeaturesDocument.Build(FeatureSupport.Current with { SeccompProvider = () => f }, HostFacts.Current, "0", "x");
        Assert.That(doc.Linux!.Seccomp!.Actions, Is.EqualTo(f.Actions));
        Assert.That(doc.Annotations!["io.github.seccomp.libseccomp.version"], Is.EqualTo(f.LibseccompVersion));
    }
}
