using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>The rest of linux.*: cgroupsPath, rootfsPropagation, masked and readonly paths, personality,
/// memoryPolicy, intelRdt, netDevices. Seccomp is validated by the seccomp code.</summary>
internal static class LinuxValidator
{
    // runc's mountPropagationMapping: the spec's four and their recursive forms.
    private static readonly string[] Propagations =
        ["private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable"];

    private static readonly string[] MemoryPolicyModes =
    [
        "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
        "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
    ];

    private static readonly string[] MemoryPolicyFlags = ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"];

    public static void Check(Linux linux, NamespaceSet ns, ValidationOptions o, ValidationResult r)
    {
        if (linux.CgroupsPath is { Length: 0 })
            r.Problem("linux.cgroupsPath", "must not be empty when given (leave it out for the default)");
        else
            NoNul(linux.CgroupsPath, "linux.cgroupsPath", r);

        if (linux.RootfsPropagation is { Length: > 0 } prop && Array.IndexOf(Propagations, prop) < 0)
            r.Problem("linux.rootfsPropagation", $"unknown propagation {Quote(prop)} (known: {string.Join(", ", Propagations)})");

        Paths(linux.MaskedPaths, "linux.maskedPaths", ns, r);
        Paths(linux.ReadonlyPaths, "linux.readonlyPaths", ns, r);

        if (linux.Personality is { } pers)
        {
            if (pers.Domain is not ("LINUX" or "LINUX32"))
                r.Problem("linux.personality.domain", pers.Domain == null
                    ? "required (LINUX or LINUX32)"
                    : $"unknown domain {Quote(pers.Domain)} (LINUX or LINUX32)");
            if (pers.Flags is { Count: > 0 })
                r.Problem("linux.personality.flags[0]", $"unknown flag {Quote(pers.Flags[0])} (the spec defines none)");
        }

        if (linux.MemoryPolicy is { } mpol)
            MemoryPolicy(mpol, r);

        if (linux.IntelRdt is { } rdt)
        {
            if (!o.Host.ResctrlMounted)
                r.Problem("linux.intelRdt", "Intel RDT is not available on this host (no resctrl filesystem at /sys/fs/resctrl)");
            else if (!o.Support.IntelRdt)
                r.Problem("linux.intelRdt", "Intel RDT is not supported by this runtime");
            else if (rdt.ClosId is "." or ".." || (rdt.ClosId?.Contains('/') ?? false))
                r.Problem("linux.intelRdt.closID", $"{Quote(rdt.ClosId)} is not a resctrl group name");
        }

        if (linux.NetDevices is { Count: > 0 } devs)
        {
            if (!ns.Has("network"))
                r.Problem("linux.netDevices", $"moving network devices needs a network namespace {AddNamespace("network")}");
            else if (!o.Support.NetDevices)
                r.Problem("linux.netDevices", "moving network devices is not supported by this runtime");
            foreach (var (name, dev) in devs)
            {
                if (!IsInterfaceName(name))
                    r.Problem($"linux.netDevices[{Quote(name)}]", "not a network interface name");
                else if (dev?.Name is { Length: > 0 } newName && !IsInterfaceName(newName))
                    r.Problem($"linux.netDevices[{Quote(name)}].name", $"{Quote(newName)} is not a network interface name");
            }
        }
    }

    private static void Paths(List<string>? paths, string field, NamespaceSet ns, ValidationResult r)
    {
        if (paths is not { Count: > 0 })
            return;
        if (!ns.Has("mount"))
            r.Problem(field, $"masking or protecting paths needs a mount namespace {AddNamespace("mount")}");
        Strings(paths, field, r);
        for (int i = 0; i < paths.Count; i++)
            if (paths[i] != null && !IsAbsolute(paths[i]))
                r.Problem($"{field}[{i}]", $"{Quote(paths[i])} is not an absolute path");
    }

    private static void MemoryPolicy(LinuxMemoryPolicy mpol, ValidationResult r)
    {
        if (string.IsNullOrEmpty(mpol.Mode))
        {
            r.Problem("linux.memoryPolicy.mode", "required (an MPOL_* mode)");
            return;
        }
        if (Array.IndexOf(MemoryPolicyModes, mpol.Mode) < 0)
        {
            r.Problem("linux.memoryPolicy.mode", $"unknown mode {Quote(mpol.Mode)} (known: {string.Join(", ", MemoryPolicyModes)})");
            return;
        }
        for (int i = 0; i < (mpol.Flags?.Count ?? 0); i++)
            if (Array.IndexOf(MemoryPolicyFlags, mpol.Flags![i]) < 0)
                r.Problem($"linux.memoryPolicy.flags[{i}]", $"unknown flag {Quote(mpol.Flags[i])} (known: {string.Join(", ", MemoryPolicyFlags)})");
        if (mpol.Flags != null && mpol.Flags.Contains("MPOL_F_STATIC_NODES") && mpol.Flags.Contains("MPOL_F_RELATIVE_NODES"))
            r.Problem("linux.memoryPolicy.flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
        if (!string.IsNullOrEmpty(mpol.Nodes) && !IsCpuList(mpol.Nodes))
        {
            r.Problem("linux.memoryPolicy.nodes", $"{Quote(mpol.Nodes)} is not a node list (e.g. \"0-1,3\")");
            return;
        }
        ulong nodes = string.IsNullOrEmpty(mpol.Nodes) ? 0 : CpuListCount(mpol.Nodes);
        // runc's rules (set_mempolicy(2)).
        if (mpol.Mode is "MPOL_DEFAULT" or "MPOL_LOCAL" && nodes != 0)
            r.Problem("linux.memoryPolicy.nodes", $"{mpol.Mode} takes no nodes");
        else if (mpol.Mode is "MPOL_BIND" or "MPOL_INTERLEAVE" or "MPOL_PREFERRED_MANY" or "MPOL_WEIGHTED_INTERLEAVE" && nodes == 0)
            r.Problem("linux.memoryPolicy.nodes", $"{mpol.Mode} needs at least one node");
    }

    /// <summary>The kernel's dev_valid_name: 1..15 bytes (IFNAMSIZ less the NUL), not "." or "..", no '/', ':' or whitespace.</summary>
    internal static bool IsInterfaceName(string name) =>
        name.Length is > 0 and < 16 && name is not ("." or "..") && !name.Any(c => c is '/' or ':' or '\0' || char.IsWhiteSpace(c));
}

/// <summary>annotations (config.md): keys non-empty, values strings.</summary>
internal static class AnnotationValidator
{
    public static void Check(Dictionary<string, string>? annotations, ValidationResult r)
    {
        foreach (var (key, value) in annotations ?? [])
        {
            if (key.Length == 0)
                r.Problem("annotations", "keys must not be empty");
            else if (value == null)
                r.Problem($"annotations[{Quote(key)}]", "expected string, got null");
        }
    }
}
