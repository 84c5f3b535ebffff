using Runtime.Spec;

namespace Runtime.Cgroups;

/// <summary>
/// The device rules a container's cgroup actually gets: the config's own rules in order, then what
/// every container needs (as runc appends): mknod of any node, the default devices, ptys, the
/// console, tun, and each node of linux.devices. Without them a "deny all" rule, which runc's default
/// spec has, would forbid /dev/null.
/// </summary>
internal static class DeviceAllowList
{
    private static readonly LinuxDeviceCgroup[] Defaults =
    {
        new() { Allow = true, Type = "c", Access = "m" },
        new() { Allow = true, Type = "b", Access = "m" },
        Char(1, 3), Char(1, 8), Char(1, 7), Char(5, 0), Char(1, 5), Char(1, 9), // null random full tty zero urandom
        Char(5, 1), Char(5, 2), Char(136, null), Char(10, 200),                 // console ptmx pts/* tun
    };

    private static LinuxDeviceCgroup Char(long major, long? minor) =>
        new() { Allow = true, Type = "c", Major = major, Minor = minor, Access = "rwm" };

    /// <summary>A copy of <paramref name="resources"/> with the device rules completed; null stays null only without devices.</summary>
    public static LinuxResources? Complete(LinuxResources? resources, IReadOnlyList<LinuxDevice>? devices)
    {
        if (resources?.Devices is not { Count: > 0 } && devices is not { Count: > 0 })
            return resources;
        var result = resources is null ? new LinuxResources() : ShallowCopy(resources);
        var rules = new List<LinuxDeviceCgroup>(resources?.Devices ?? new List<LinuxDeviceCgroup>());
        rules.AddRange(Defaults);
        foreach (var d in devices ?? Array.Empty<LinuxDevice>())
            if (d.Type is "c" or "b" or "u")
                rules.Add(new LinuxDeviceCgroup { Allow = true, Type = d.Type == "u" ? "c" : d.Type, Major = d.Major, Minor = d.Minor, Access = "rwm" });
        result.Devices = rules;
        return result;
    }

    private static LinuxResources ShallowCopy(LinuxResources r) => new()
    {
        Memory = r.Memory, Cpu = r.Cpu, Pids = r.Pids, BlockIO = r.BlockIO, HugepageLimits = r.HugepageLimits,
        Network = r.Network, Rdma = r.Rdma, Unified = r.Unified, Devices = r.Devices,
    };
}
