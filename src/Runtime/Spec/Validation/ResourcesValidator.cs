using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>linux.resources, also the body of `update --resources` (prefix ""): what the spec requires
/// of each entry and what would otherwise reach a cgroup file malformed. Whether a controller exists
/// on this host is the cgroup code's question.</summary>
internal static class ResourcesValidator
{
    public static void Check(LinuxResources res, string p, ValidationResult r)
    {
        DeviceRules(res.Devices, p + "devices", r);
        if (res.Memory is { } mem)
        {
            Bytes(mem.Limit, p + "memory.limit", r);
            Bytes(mem.Reservation, p + "memory.reservation", r);
            Bytes(mem.Swap, p + "memory.swap", r);
            Bytes(mem.Kernel, p + "memory.kernel", r);
            Bytes(mem.KernelTcp, p + "memory.kernelTCP", r);
            // runc reads 2^64-1 (Go's -1 as uint64) as "unset".
            if (mem.Swappiness is > 100 and < ulong.MaxValue)
                r.Problem(p + "memory.swappiness", $"{mem.Swappiness} is outside 0..100");
        }
        if (res.Cpu is { } cpu)
        {
            List(cpu.Cpus, p + "cpu.cpus", r);
            List(cpu.Mems, p + "cpu.mems", r);
        }
        if (res.BlockIO?.WeightDevice is { } weights)
            for (int i = 0; i < weights.Count; i++)
                if (weights[i] == null)
                    r.Problem($"{p}blockIO.weightDevice[{i}]", "expected object, got null");
                else if (weights[i].Weight == null && weights[i].LeafWeight == null)
                    r.Problem($"{p}blockIO.weightDevice[{i}]", "needs weight or leafWeight");
        for (int i = 0; i < (res.HugepageLimits?.Count ?? 0); i++)
        {
            var h = res.HugepageLimits![i];
            var at = $"{p}hugepageLimits[{i}]";
            if (h == null)
                r.Problem(at, "expected object, got null");
            else if (string.IsNullOrEmpty(h.PageSize))
                r.Problem(at + ".pageSize", "required (e.g. \"2MB\")");
            else if (!IsPageSize(h.PageSize))
                r.Problem(at + ".pageSize", $"{Quote(h.PageSize)} is not of the form <size><unit>B (e.g. \"2MB\", \"1GB\")");
        }
        for (int i = 0; i < (res.Network?.Priorities?.Count ?? 0); i++)
        {
            var prio = res.Network!.Priorities![i];
            if (prio == null)
                r.Problem($"{p}network.priorities[{i}]", "expected object, got null");
            else if (string.IsNullOrEmpty(prio.Name))
                r.Problem($"{p}network.priorities[{i}].name", "required (a network interface name)");
        }
        foreach (var (device, limit) in res.Rdma ?? [])
            if (limit == null || (limit.HcaHandles == null && limit.HcaObjects == null))
                r.Problem($"{p}rdma[{Quote(device)}]", "needs hcaHandles or hcaObjects");
        foreach (var (file, value) in res.Unified ?? [])
        {
            // Keys become file names in the container's cgroup directory.
            if (file.Length == 0 || file is "." or ".." || file.Contains('/') || file.Contains('\0'))
                r.Problem($"{p}unified[{Quote(file)}]", "not a cgroup file name");
            else if (value == null)
                r.Problem($"{p}unified[{Quote(file)}]", "expected string, got null");
        }
    }

    private static void DeviceRules(List<LinuxDeviceCgroup>? rules, string path, ValidationResult r)
    {
        for (int i = 0; i < (rules?.Count ?? 0); i++)
        {
            var d = rules![i];
            var at = $"{path}[{i}]";
            if (d == null)
            {
                r.Problem(at, "expected object, got null");
                continue;
            }
            if (!string.IsNullOrEmpty(d.Type) && d.Type is not ("a" or "c" or "b"))
                r.Problem(at + ".type", $"unknown device type {Quote(d.Type)} (a, c or b)");
            if (d.Access != null && !d.Access.All(c => c is 'r' or 'w' or 'm'))
                r.Problem(at + ".access", $"{Quote(d.Access)} may only contain r, w and m");
        }
    }

    private static void Bytes(long? value, string path, ValidationResult r)
    {
        if (value < -1)
            r.Problem(path, $"{value} is not a limit (bytes, or -1 for unlimited)");
    }

    private static void List(string? list, string path, ValidationResult r)
    {
        if (!string.IsNullOrEmpty(list) && !IsCpuList(list))
            r.Problem(path, $"{Quote(list)} is not a list like \"0-3,7\"");
    }

    /// <summary>"&lt;size&gt;&lt;unit-prefix&gt;B" as the spec writes it: 64KB, 2MB, 1GB.</summary>
    private static bool IsPageSize(string s)
    {
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            digits++;
        var unit = s.AsSpan(digits);
        return digits > 0 && (unit is "B" || (unit.Length == 2 && "KMGTPE".Contains(unit[0]) && unit[1] == 'B'));
    }
}
