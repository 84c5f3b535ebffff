using System.Runtime.InteropServices;
using System.Text;
using Runtime.Linux;
using Runtime.Logging;
using Runtime.Spec;

namespace Runtime.Seccomp;

/// <summary>
/// Compiles linux.seccomp into a <see cref="CompiledFilter"/> with libseccomp, in the parent (host
/// context): validation and error wording first, then libseccomp rules, then BPF export and runc's
/// -ENOSYS prefix. Semantics follow runc: unknown syscall names are skipped (they may not exist on
/// this architecture), rules whose action equals the default are dropped, args that repeat an index
/// become separate rules (OR) while distinct indexes form one rule (AND), flags default to
/// SPEC_ALLOW when the kernel has it. Where the spec is stricter than runc (errnoRet on an action
/// without one, empty names, listenerMetadata without listenerPath) we follow the spec.
/// </summary>
internal static unsafe class SeccompCompiler
{
    private const string Field = "linux.seccomp";
    private const int MaxArgs = 6;
    private const int ScmpError = -1; // __NR_SCMP_ERROR
    private const int EDOM = 33;      // libseccomp: the architecture's byte order differs from the filter's

    /// <summary>A validated rule: one syscall name, its full action value and its conditions.</summary>
    private readonly record struct Rule(string Name, uint Action, Libc.ScmpArgCmp[] Args, string Where);

    /// <summary>The filter for <paramref name="seccomp"/>, or null when it asks for none (absent, or
    /// neither defaultAction nor syscalls, which runc also treats as "no seccomp").</summary>
    public static CompiledFilter? Compile(LinuxSeccomp? seccomp)
    {
        if (!IsRequested(seccomp))
            return null;
        var (defaultAction, flags, rules) = Validate(seccomp!);
        Libseccomp.Require(Field);
        nint ctx = Build(seccomp!, defaultAction, rules);
        List<Libc.SockFilter> stub;
        byte[] program;
        try
        {
            program = Export(ctx, Libc.ScmpExportBpf, "export BPF");
            stub = NeedsEnosysStub(defaultAction) ? EnosysStub.Build(LargestSyscalls(seccomp!)) : new List<Libc.SockFilter>();
        }
        finally
        {
            Libc.ScmpRelease(ctx);
        }
        int total = stub.Count + program.Length / sizeof(Libc.SockFilter);
        if (total > Libc.BPF_MAXINSNS)
            throw new RuntimeException($"{Field}: the compiled filter has {total} instructions, more than the kernel's limit of {Libc.BPF_MAXINSNS}");
        var full = new byte[total * sizeof(Libc.SockFilter)];
        MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(stub)).CopyTo(full);
        program.CopyTo(full, stub.Count * sizeof(Libc.SockFilter));
        Log.Debug($"seccomp: {rules.Count} rules, {total} BPF instructions ({stub.Count} in the -ENOSYS stub)");
        Log.Debug($"seccomp filter flags: {flags}"); // runc's wording, which its tests grep
        return new CompiledFilter(full, flags);
    }

    /// <summary>libseccomp's pseudo filter code for the profile (without the -ENOSYS stub): for
    /// `--debug` and tests.</summary>
    public static string ExportPfc(LinuxSeccomp seccomp)
    {
        var (defaultAction, _, rules) = Validate(seccomp);
        Libseccomp.Require(Field);
        nint ctx = Build(seccomp, defaultAction, rules);
        try
        {
            return Encoding.UTF8.GetString(Export(ctx, Libc.ScmpExportPfc, "export PFC"));
        }
        finally
        {
            Libc.ScmpRelease(ctx);
        }
    }

    public static bool IsRequested(LinuxSeccomp? seccomp) =>
        seccomp != null && (!string.IsNullOrEmpty(seccomp.DefaultAction) || (seccomp.Syscalls?.Count ?? 0) > 0);

    // ---- validation: every error names its field

    private static (uint DefaultAction, uint Flags, List<Rule> Rules) Validate(LinuxSeccomp s)
    {
        uint defaultAction = ParseAction(s.DefaultAction, s.DefaultErrnoRet, $"{Field}.defaultAction", $"{Field}.defaultErrnoRet");
        if (Base(defaultAction) == Libc.SECCOMP_RET_USER_NOTIF)
            throw new RuntimeException($"{Field}.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");

        for (int i = 0; i < (s.Architectures?.Count ?? 0); i++)
            if (s.Architectures![i] is not { } a || !SeccompNames.Architectures.ContainsKey(a))
                throw new RuntimeException($"{Field}.architectures[{i}]: unknown architecture \"{s.Architectures[i]}\"");

        var rules = new List<Rule>();
        bool notify = false;
        for (int i = 0; i < (s.Syscalls?.Count ?? 0); i++)
        {
            var call = s.Syscalls![i];
            var where = $"{Field}.syscalls[{i}]";
            if (call == null)
                throw new RuntimeException($"{where}: null entry");
            uint action = ParseAction(call.Action, call.ErrnoRet, $"{where}.action", $"{where}.errnoRet");
            var args = ParseArgs(call.Args, where);
            if (call.Names == null || call.Names.Count == 0)
                throw new RuntimeException($"{where}.names: must contain at least one syscall name");
            for (int n = 0; n < call.Names.Count; n++)
            {
                if (string.IsNullOrEmpty(call.Names[n]))
                    throw new RuntimeException($"{where}.names[{n}]: empty string is not a valid syscall");
                rules.Add(new Rule(call.Names[n], action, args, where));
            }
            if (Base(action) == Libc.SECCOMP_RET_USER_NOTIF)
            {
                notify = true;
                // The init hands the listener fd to the parent with write(2) on the init socket: a
                // notified write would wait for an agent that never gets the fd (runc's rule).
                if (call.Names.Contains("write"))
                    throw new RuntimeException($"{where}: SCMP_ACT_NOTIFY cannot be used for the write syscall");
            }
        }

        uint flags = ParseFlags(s.Flags);
        if (!string.IsNullOrEmpty(s.ListenerMetadata) && string.IsNullOrEmpty(s.ListenerPath))
            throw new RuntimeException($"{Field}.listenerMetadata: must not be set without listenerPath");
        if (notify)
        {
            if (string.IsNullOrEmpty(s.ListenerPath))
                throw new RuntimeException($"{Field}.listenerPath: required when a syscall uses SCMP_ACT_NOTIFY");
            if (SeccompKernel.ProbeFlags(Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER) == SeccompKernel.Support.No)
                throw new RuntimeException($"{Field}: SCMP_ACT_NOTIFY needs a seccomp notify listener, which this kernel does not support (Linux 5.0+)");
            flags |= Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER;
        }
        else if ((flags & Libc.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0)
            throw new RuntimeException($"{Field}.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only applies to a notify listener: no syscall uses SCMP_ACT_NOTIFY");
        return (defaultAction, flags, rules);
    }

    /// <summary>The full SECCOMP_RET_* value for an action name and optional errno.</summary>
    private static uint ParseAction(string? name, uint? errnoRet, string field, string errnoField)
    {
        if (string.IsNullOrEmpty(name))
            throw new RuntimeException($"{field}: required");
        if (!SeccompNames.Actions.TryGetValue(name, out uint action))
            throw new RuntimeException($"{field}: unknown action \"{name}\"");
        if (SeccompKernel.ProbeAction(action) == SeccompKernel.Support.No)
            throw new RuntimeException($"{field}: {name} is not supported by this kernel");
        if (!SeccompNames.TakesErrno(action))
        {
            if (errnoRet != null)
                throw new RuntimeException($"{errnoField}: {name} does not return an errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)");
            return action;
        }
        uint data = errnoRet ?? Errnos.EPERM; // runc: EPERM for both ERRNO and TRACE when unset
        if (data > Libc.SECCOMP_RET_DATA)
            throw new RuntimeException($"{errnoField}: {data} does not fit in the 16 bits seccomp returns");
        return action | data;
    }

    private static Libc.ScmpArgCmp[] ParseArgs(List<LinuxSeccompArg>? args, string where)
    {
        var result = new Libc.ScmpArgCmp[args?.Count ?? 0];
        for (int j = 0; j < result.Length; j++)
        {
            var a = args![j] ?? throw new RuntimeException($"{where}.args[{j}]: null entry");
            if (a.Index >= MaxArgs)
                throw new RuntimeException($"{where}.args[{j}].index: {a.Index} is out of range (a syscall has arguments 0-5)");
            if (string.IsNullOrEmpty(a.Op))
                throw new RuntimeException($"{where}.args[{j}].op: required");
            if (!SeccompNames.Operators.TryGetValue(a.Op, out int op))
                throw new RuntimeException($"{where}.args[{j}].op: unknown operator \"{a.Op}\"");
            result[j] = new Libc.ScmpArgCmp { Arg = a.Index, Op = op, DatumA = a.Value, DatumB = a.ValueTwo };
        }
        return result;
    }

    private static uint ParseFlags(List<string>? names)
    {
        // No flags field at all (not even []): SPEC_ALLOW if the kernel has it, as runc does.
        if (names == null)
            return SeccompKernel.FlagSupported(Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW) ? Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0;
        uint flags = 0;
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] is not { } name || !SeccompNames.TryGetFlag(name, out uint bit))
                throw new RuntimeException($"{Field}.flags[{i}]: unknown flag \"{names[i]}\"");
            if (bit != 0 && SeccompKernel.ProbeFlag(bit) == SeccompKernel.Support.No)
                throw new RuntimeException($"{Field}.flags[{i}]: {name} is not supported by this kernel");
            flags |= bit;
        }
        return flags;
    }

    private static uint Base(uint action) => action & ~Libc.SECCOMP_RET_DATA;

    private static bool NeedsEnosysStub(uint defaultAction) =>
        Base(defaultAction) is not (Libc.SECCOMP_RET_ALLOW or Libc.SECCOMP_RET_LOG or Libc.SECCOMP_RET_TRACE)
        && defaultAction != EnosysStub.RetEnosys;

    // ---- libseccomp

    private static nint Build(LinuxSeccomp s, uint defaultAction, List<Rule> rules)
    {
        nint ctx = Libc.ScmpInit(defaultAction);
        if (ctx == 0)
            throw new RuntimeException($"{Field}.defaultAction: libseccomp refused default action 0x{defaultAction:x}");
        try
        {
            foreach (var (token, i) in ArchTokens(s))
            {
                int rc = Libc.ScmpArchAdd(ctx, token);
                if (rc == -EDOM)
                    throw new RuntimeException($"{Field}.architectures[{i}]: {s.Architectures![i]} cannot share a filter with this host's architecture (different byte order)");
                if (rc < 0 && rc != -Errnos.EEXIST)
                    throw new RuntimeException($"{Field}.architectures[{i}]: adding {s.Architectures![i]} to the filter: {Errnos.Describe(-rc)}");
            }
            // Binary-tree dispatch for long profiles (runc's threshold; libseccomp <= 2.5.4 misbehaves
            // with the tree and no rules). Older libseccomp without the attribute: linear, still correct.
            if (rules.Count > 32)
                Libc.ScmpAttrSet(ctx, Libc.SCMP_FLTATR_CTL_OPTIMIZE, 2);
            foreach (var rule in rules)
                AddRule(ctx, rule, defaultAction);
            return ctx;
        }
        catch
        {
            Libc.ScmpRelease(ctx);
            throw;
        }
    }

    private static void AddRule(nint ctx, Rule rule, uint defaultAction)
    {
        if (rule.Action == defaultAction)
            return; // redundant, and libseccomp refuses it
        int nr = Libc.ScmpSyscallResolveName(rule.Name);
        if (nr == ScmpError)
        {
            Log.Debug($"seccomp: unknown syscall \"{rule.Name}\" ({rule.Where}) ignored");
            return;
        }
        // Two conditions on the same argument cannot both hold in one libseccomp rule: like runc,
        // add each condition as its own rule (OR) then; otherwise one rule with all of them (AND).
        var args = rule.Args;
        bool repeatsIndex = args.Select(a => a.Arg).Distinct().Count() != args.Length;
        if (args.Length == 0 || !repeatsIndex)
            Add(ctx, rule, nr, args);
        else
            foreach (var a in args)
                Add(ctx, rule, nr, new[] { a });
    }

    private static void Add(nint ctx, Rule rule, int nr, Libc.ScmpArgCmp[] args)
    {
        int rc;
        fixed (Libc.ScmpArgCmp* p = args)
            rc = Libc.ScmpRuleAddArray(ctx, rule.Action, nr, (uint)args.Length, args.Length == 0 ? null : p);
        if (rc < 0)
            throw new RuntimeException($"{rule.Where}: adding the rule for syscall \"{rule.Name}\": {Errnos.Describe(-rc)}");
    }

    /// <summary>The libseccomp arch tokens the filter covers besides the native one (which
    /// libseccomp always includes), with their index in linux.seccomp.architectures.</summary>
    private static List<(uint Token, int Index)> ArchTokens(LinuxSeccomp s)
    {
        var tokens = new List<(uint, int)>();
        for (int i = 0; i < (s.Architectures?.Count ?? 0); i++)
        {
            var name = s.Architectures![i];
            uint token = Libc.ScmpArchResolveName(SeccompNames.Architectures[name]);
            if (token == 0)
                throw new RuntimeException($"{Field}.architectures[{i}]: {name} is not supported by libseccomp {Libseccomp.Version}");
            tokens.Add((token, i));
        }
        return tokens;
    }

    /// <summary>Per arch token, the largest syscall number any rule names (the -ENOSYS boundary).</summary>
    private static Dictionary<uint, uint> LargestSyscalls(LinuxSeccomp s)
    {
        var names = (s.Syscalls ?? new List<LinuxSyscall>()).SelectMany(c => c.Names ?? new List<string>()).Distinct().ToList();
        var largest = new Dictionary<uint, uint>();
        foreach (uint token in ArchTokens(s).Select(t => t.Token).Append(Libc.ScmpArchNative()).Distinct())
        {
            int max = -1;
            foreach (var name in names)
                max = Math.Max(max, Libc.ScmpSyscallResolveNameArch(token, name)); // pseudo syscalls are negative
            if (max >= 0)
                largest[token] = (uint)max;
            else
                Log.Debug($"seccomp: no syscall of the profile exists on arch 0x{token:x}: no -ENOSYS stub for it");
        }
        return largest;
    }

    /// <summary>Runs a libseccomp export into a memfd and reads it back (a pipe could fill up and
    /// block the export; the memfd cannot).</summary>
    private static byte[] Export(nint ctx, Func<nint, int, int> export, string what)
    {
        int fd = Libc.Check(Libc.MemfdCreate("runtime-seccomp", Libc.MFD_CLOEXEC), $"{Field}: memfd_create for the seccomp {what}");
        try
        {
            int rc = export(ctx, fd);
            if (rc < 0)
                throw new RuntimeException($"{Field}: libseccomp could not {what}: {Errnos.Describe(-rc)}");
            using var result = new MemoryStream();
            var buf = new byte[16384];
            fixed (byte* b = buf)
                for (long off = 0; ;)
                {
                    nint n = Libc.Pread(fd, b, buf.Length, off);
                    if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                    Libc.Check(n, $"{Field}: read back the seccomp {what}");
                    if (n == 0) break;
                    result.Write(buf, 0, (int)n);
                    off += n;
                }
            return result.ToArray();
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
