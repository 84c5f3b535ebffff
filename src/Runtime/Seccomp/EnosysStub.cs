using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>
/// runc's -ENOSYS patch: a prefix that makes syscalls newer than any the profile names fail with
/// ENOSYS instead of the default action. A profile written before, say, clone3 existed would
/// otherwise answer clone3 with EPERM, and libc only falls back to clone on ENOSYS. Only added when
/// the default action denies (not for ALLOW/LOG/TRACE, and pointless when it already is ENOSYS).
///
/// Per architecture in the filter: load the syscall number and, if it is above the largest one the
/// profile names for that architecture, return ENOSYS; everything else jumps to the libseccomp
/// program, which starts by loading the architecture again. x86_64 and x32 share one audit arch and
/// differ by bit 30 of the syscall number; on s390(x) syscall 0 is the multiplexer for unknown ones.
/// </summary>
internal static class EnosysStub
{
    public const uint AuditArchX86_64 = 0xc000003e, AuditArchS390 = 0x00000016, AuditArchS390X = 0x80000016;
    /// <summary>libseccomp's SCMP_ARCH_X32 token (not a real audit arch).</summary>
    public const uint ScmpArchX32 = 0x4000003e;
    private const uint X32Bit = 0x40000000;
    public const uint RetEnosys = Libc.SECCOMP_RET_ERRNO | Errnos.ENOSYS;

    /// <summary>The stub for the largest syscall number per libseccomp arch token (tokens with no
    /// known syscall left out); empty when there is nothing to patch.</summary>
    public static List<Libc.SockFilter> Build(IReadOnlyDictionary<uint, uint> largestByArch)
    {
        var prog = new List<Libc.SockFilter>();
        var toFilter = new List<int>(); // "ja <start of the libseccomp program>" to fix up at the end
        if (largestByArch.Count == 0)
            return prog;

        prog.Add(Bpf.LoadAbs(Bpf.DataArch));
        foreach (var audit in largestByArch.Keys.Select(AuditArch).Distinct().Order())
        {
            var body = new List<Libc.SockFilter> { Bpf.LoadAbs(Bpf.DataNr) };
            var bodyJumps = new List<int>();
            if (audit == AuditArchX86_64)
            {
                var native = Section(largestByArch.TryGetValue(AuditArchX86_64, out var n) ? n : null, false, bodyJumps, body.Count + 1);
                body.Add(Bpf.Jump(Bpf.JMP | Bpf.JSET | Bpf.K, X32Bit, (byte)native.Count, 0));
                body.AddRange(native);
                body.AddRange(Section(largestByArch.TryGetValue(ScmpArchX32, out var x) ? x : null, false, bodyJumps, body.Count));
            }
            else
                body.AddRange(Section(largestByArch[audit], audit is AuditArchS390 or AuditArchS390X, bodyJumps, body.Count));

            int start = prog.Count + 1;
            prog.Add(Bpf.Jump(Bpf.JMP | Bpf.JEQ | Bpf.K, audit, 0, checked((byte)body.Count)));
            prog.AddRange(body);
            toFilter.AddRange(bodyJumps.Select(j => start + j));
        }
        foreach (int i in toFilter)
            prog[i] = Bpf.Stmt(Bpf.JMP | Bpf.JA, (uint)(prog.Count - (i + 1)));
        return prog;
    }

    /// <summary>[s390: jeq #0 → ENOSYS] jgt #largest → ENOSYS; ja filter. Without a largest syscall
    /// just "ja filter". Records where its "ja filter" sits (relative to the body) in <paramref name="jumps"/>.</summary>
    private static List<Libc.SockFilter> Section(uint? largest, bool s390, List<int> jumps, int at)
    {
        var s = new List<Libc.SockFilter>();
        if (largest is { } max)
        {
            if (s390)
            {
                s.Add(Bpf.Jump(Bpf.JMP | Bpf.JEQ | Bpf.K, 0, 0, 1));
                s.Add(Bpf.Ret(RetEnosys));
            }
            s.Add(Bpf.Jump(Bpf.JMP | Bpf.JGT | Bpf.K, max, 0, 1));
            s.Add(Bpf.Ret(RetEnosys));
        }
        jumps.Add(at + s.Count);
        s.Add(Bpf.Stmt(Bpf.JMP | Bpf.JA, 0)); // fixed up by Build
        return s;
    }

    /// <summary>The audit arch the kernel reports for a libseccomp arch token.</summary>
    public static uint AuditArch(uint token) => token == ScmpArchX32 ? AuditArchX86_64 : token;
}
