using Runtime.Init;
using Runtime.Process;
using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>process (config.md "Process"; runc's validateProcessSpec and validator scheduler/ioPriority).
/// <c>p</c> is the path prefix: "process." inside config.json, "" for an `exec --process` file.</summary>
internal static class ProcessValidator
{
    public static void Check(Process process, string p, ValidationOptions o, ValidationResult r)
    {
        if (process.Args is not { Count: > 0 })
            r.Problem(p + "args", "must contain at least one entry (the program to run)");
        else
        {
            Strings(process.Args, p + "args", r);
            if (process.Args[0] == "")
                r.Problem(p + "args[0]", "must not be empty (it is the program to run)");
        }

        if (string.IsNullOrEmpty(process.Cwd))
            r.Problem(p + "cwd", "required (an absolute path inside the container)");
        else if (!IsAbsolute(process.Cwd))
            r.Problem(p + "cwd", $"{Quote(process.Cwd)} is not an absolute path");
        else
            NoNul(process.Cwd, p + "cwd", r);

        Env(process.Env, p + "env", r);
        if (process.User?.Umask is uint umask && umask > 0x1ff)
            r.Problem(p + "user.umask", $"{umask} (octal {Convert.ToString(umask, 8)}) is not a umask: at most 511 (octal 777)");
        if (process.Capabilities is { } caps)
        {
            CapabilitySet(caps.Bounding, p + "capabilities.bounding", r);
            CapabilitySet(caps.Effective, p + "capabilities.effective", r);
            CapabilitySet(caps.Inheritable, p + "capabilities.inheritable", r);
            CapabilitySet(caps.Permitted, p + "capabilities.permitted", r);
            CapabilitySet(caps.Ambient, p + "capabilities.ambient", r);
        }
        Rlimits(process.Rlimits, p + "rlimits", r);
        if (process.OomScoreAdj is < -1000 or > 1000)
            r.Problem(p + "oomScoreAdj", $"{process.OomScoreAdj} is outside -1000..1000");
        if (process.Scheduler != null)
            Scheduler(process.Scheduler, p + "scheduler", r);
        if (process.IoPriority != null)
            IoPriority(process.IoPriority, p + "ioPriority", r);
        if (process.ExecCPUAffinity is { } affinity)
        {
            CpuList(affinity.Initial, p + "execCPUAffinity.initial", r);
            CpuList(affinity.Final, p + "execCPUAffinity.final", r);
        }
        if (!string.IsNullOrEmpty(process.ApparmorProfile))
        {
            if (!o.Host.AppArmorEnabled)
                r.Problem(p + "apparmorProfile", "AppArmor is not enabled on this host");
            else if (!o.Support.AppArmor)
                r.Problem(p + "apparmorProfile", "AppArmor profiles are not supported by this runtime");
        }
        if (!string.IsNullOrEmpty(process.SelinuxLabel))
        {
            // Without SELinux the label is ignored (a debug note from the init), as crun does:
            // runtime-tools' linux_mount_label and the like expect that.
            if (o.Host.SELinuxEnabled && !o.Support.SELinux)
                r.Problem(p + "selinuxLabel", "SELinux labels are not supported by this runtime");
        }
    }

    private static void Env(List<string>? env, string path, ValidationResult r)
    {
        for (int i = 0; i < (env?.Count ?? 0); i++)
        {
            var e = env![i];
            int eq = e?.IndexOf('=') ?? -1;
            if (e == null)
                r.Problem($"{path}[{i}]", "expected string, got null");
            else if (eq < 0)
                r.Problem($"{path}[{i}]", $"{Quote(e)} is not of the form NAME=VALUE");
            else if (eq == 0)
                r.Problem($"{path}[{i}]", $"{Quote(e)} has an empty variable name");
            else if (HasNul(e))
                r.Problem($"{path}[{i}]", "contains a NUL byte");
        }
    }

    private static void CapabilitySet(List<string>? names, string path, ValidationResult r)
    {
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            var name = names![i];
            if (name == null)
                r.Problem($"{path}[{i}]", "expected string, got null");
            else if (Capabilities.ByName(name) == null)
                r.Problem($"{path}[{i}]", $"unknown capability {Quote(name)}");
        }
    }

    private static void Rlimits(List<PosixRlimit>? rlimits, string path, ValidationResult r)
    {
        for (int i = 0; i < (rlimits?.Count ?? 0); i++)
        {
            var rl = rlimits![i];
            if (rl == null)
            {
                r.Problem($"{path}[{i}]", "expected object, got null");
                continue;
            }
            if (string.IsNullOrEmpty(rl.Type))
                r.Problem($"{path}[{i}].type", "required (an RLIMIT_* name)");
            else if (!ProcessSetup.RlimitTypes.ContainsKey(rl.Type))
                r.Problem($"{path}[{i}].type", $"unknown rlimit {Quote(rl.Type)}");
            else
            {
                // The spec: duplicated types MUST be an error.
                int first = rlimits.FindIndex(x => x?.Type == rl.Type);
                if (first < i)
                    r.Problem($"{path}[{i}].type", $"duplicate rlimit {Quote(rl.Type)} (also {path}[{first}])");
            }
            if (rl.Soft > rl.Hard)
                r.Problem($"{path}[{i}]", $"soft limit {rl.Soft} is greater than hard limit {rl.Hard}");
        }
    }

    private static void Scheduler(Scheduler s, string path, ValidationResult r)
    {
        if (string.IsNullOrEmpty(s.Policy))
        {
            r.Problem(path + ".policy", "required (SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE)");
            return;
        }
        if (!ProcessAttributes.Policies.ContainsKey(s.Policy))
        {
            r.Problem(path + ".policy", $"unknown policy {Quote(s.Policy)} (known: {string.Join(", ", ProcessAttributes.Policies.Keys)})");
            return;
        }
        // runc's rules (sched_setattr(2)).
        if (s.Policy is "SCHED_OTHER" or "SCHED_BATCH" && s.Nice is < -20 or > 19)
            r.Problem(path + ".nice", $"{s.Nice} is outside -20..19");
        if (s.Priority != 0 && s.Policy is not ("SCHED_FIFO" or "SCHED_RR"))
            r.Problem(path + ".priority", $"only SCHED_FIFO and SCHED_RR take a priority, not {s.Policy}");
        if (s.Policy != "SCHED_DEADLINE" && (s.Runtime != 0 || s.Deadline != 0 || s.Period != 0))
            r.Problem(path, $"runtime, deadline and period are only for SCHED_DEADLINE, not {s.Policy}");
        for (int i = 0; i < (s.Flags?.Count ?? 0); i++)
        {
            var f = s.Flags![i];
            if (f == null || !ProcessAttributes.SchedFlags.ContainsKey(f))
                r.Problem($"{path}.flags[{i}]", $"unknown flag {Quote(f)} (known: {string.Join(", ", ProcessAttributes.SchedFlags.Keys)})");
        }
    }

    private static void IoPriority(IoPriority io, string path, ValidationResult r)
    {
        if (io.Class is not ("IOPRIO_CLASS_RT" or "IOPRIO_CLASS_BE" or "IOPRIO_CLASS_IDLE"))
            r.Problem(path + ".class", io.Class == null
                ? "required (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)"
                : $"unknown class {Quote(io.Class)} (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)");
        if (io.Priority is < 0 or > 7)
            r.Problem(path + ".priority", $"{io.Priority} is outside 0..7");
    }

    private static void CpuList(string? list, string path, ValidationResult r)
    {
        if (!string.IsNullOrEmpty(list) && !IsCpuList(list))
            r.Problem(path, $"{Quote(list)} is not a CPU list (e.g. \"0-3,7\")");
    }
}
