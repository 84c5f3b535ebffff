using System.Runtime.InteropServices;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Init;

/// <summary>linux.personality, process.scheduler and process.ioPriority: set on the thread that execs.</summary>
internal static unsafe class ProcessAttributes
{
    public static void SetPersonality(LinuxPersonality? p)
    {
        if (p == null) return;
        ulong persona = p.Domain switch
        {
            "LINUX" => 0,
            "LINUX32" => 0x0008,
            _ => throw new RuntimeException($"linux.personality.domain: unknown domain \"{p.Domain}\" (LINUX or LINUX32)"),
        };
        foreach (var f in p.Flags ?? new List<string>())
            throw new RuntimeException($"linux.personality.flags: flag \"{f}\" is not supported");
        Libc.Check(Libc.Personality(persona), $"linux.personality: personality({p.Domain})");
    }

    internal static readonly Dictionary<string, int> Policies = new()
    {
        ["SCHED_OTHER"] = 0, ["SCHED_FIFO"] = 1, ["SCHED_RR"] = 2, ["SCHED_BATCH"] = 3, ["SCHED_ISO"] = 4,
        ["SCHED_IDLE"] = 5, ["SCHED_DEADLINE"] = 6,
    };

    internal static readonly Dictionary<string, ulong> SchedFlags = new()
    {
        ["SCHED_FLAG_RESET_ON_FORK"] = 0x01, ["SCHED_FLAG_RECLAIM"] = 0x02, ["SCHED_FLAG_DL_OVERRUN"] = 0x04,
        ["SCHED_FLAG_KEEP_POLICY"] = 0x08, ["SCHED_FLAG_KEEP_PARAMS"] = 0x10, ["SCHED_FLAG_UTIL_CLAMP_MIN"] = 0x20,
        ["SCHED_FLAG_UTIL_CLAMP_MAX"] = 0x40,
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime, Deadline, Period;
    }

    public static void SetScheduler(Scheduler? s)
    {
        if (s == null) return;
        if (s.Policy == null || !Policies.TryGetValue(s.Policy, out int policy))
            throw new RuntimeException($"process.scheduler.policy: unknown policy \"{s.Policy}\"");
        ulong flags = 0;
        foreach (var f in s.Flags ?? new List<string>())
            flags |= SchedFlags.TryGetValue(f, out var v) ? v : throw new RuntimeException($"process.scheduler.flags: unknown flag \"{f}\"");
        var attr = new SchedAttr
        {
            Size = (uint)sizeof(SchedAttr), Policy = (uint)policy, Flags = flags, Nice = s.Nice, Priority = (uint)s.Priority,
            Runtime = s.Runtime, Deadline = s.Deadline, Period = s.Period,
        };
        if (Libc.Syscall(314 /* sched_setattr */, 0, (nint)(&attr), 0, 0, 0, 0) == -1)
            throw new SyscallException($"process.scheduler: sched_setattr({s.Policy})", Libc.LastErrno);
    }

    public static void SetIoPriority(IoPriority? p)
    {
        if (p == null) return;
        int cls = p.Class switch
        {
            "IOPRIO_CLASS_RT" => 1, "IOPRIO_CLASS_BE" => 2, "IOPRIO_CLASS_IDLE" => 3,
            _ => throw new RuntimeException($"process.ioPriority.class: unknown class \"{p.Class}\""),
        };
        if (p.Priority is < 0 or > 7)
            throw new RuntimeException($"process.ioPriority.priority: {p.Priority} is outside 0..7");
        // ioprio_set(IOPRIO_WHO_PROCESS, 0 = this thread, class << 13 | level)
        if (Libc.Syscall(251, 1, 0, (cls << 13) | p.Priority, 0, 0, 0) == -1)
            throw new SyscallException($"process.ioPriority: ioprio_set({p.Class}, {p.Priority})", Libc.LastErrno);
    }
}
