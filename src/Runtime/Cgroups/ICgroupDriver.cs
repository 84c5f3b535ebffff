using Runtime.Cgroups.Devices;
using Runtime.Spec;

namespace Runtime.Cgroups;

public enum FreezerState
{
    /// <summary>No freezer to ask (the cgroup is gone, or no freezer controller).</summary>
    Undefined,
    Thawed,
    Frozen,
}

/// <summary>What a resource write needs besides the values: where warnings go, and whether this is an update of a live cgroup.</summary>
internal sealed class ResourceContext(Action<string> warn, bool isUpdate)
{
    public Action<string> Warn { get; } = warn;
    public bool IsUpdate { get; } = isUpdate;
}

/// <summary>
/// One cgroup version's side of a container's cgroup: the v1 hierarchies (<see cref="V1.V1Cgroup"/>) or the
/// cgroup2 directory (<see cref="V2.V2Cgroup"/>). <see cref="CgroupManager"/> holds one or both (hybrid) and sends
/// each resource to the side that <see cref="Owns"/> its controller (controllers are named as in v1: "blkio").
/// </summary>
internal interface ICgroupDriver
{
    /// <summary>The directories of this side, each once.</summary>
    IReadOnlyList<string> Dirs { get; }

    bool Owns(string controller);

    /// <summary>Makes the directories (and what they need to work: cpuset values in v1, enabled controllers in v2),
    /// adding each directory it made to <paramref name="created"/> so a failure can take exactly those back.</summary>
    void Create(List<string> created);

    void SetMemory(LinuxMemory memory, ResourceContext ctx);
    void SetCpu(LinuxCpu cpu, ResourceContext ctx);
    void SetCpuset(LinuxCpu cpu, ResourceContext ctx);
    void SetPids(LinuxPids pids, ResourceContext ctx);
    void SetBlockIo(LinuxBlockIo blockIo, ResourceContext ctx);
    void SetHugepages(IReadOnlyList<LinuxHugepageLimit> limits, ResourceContext ctx);
    void SetRdma(IReadOnlyDictionary<string, LinuxRdma> rdma, ResourceContext ctx);
    void SetDevices(IReadOnlyList<DeviceRule> rules, bool freshCgroup, ResourceContext ctx);

    FreezerState GetFreezerState();
    /// <summary>Freezes and waits until every task is frozen (thawing again if that does not happen in time), or thaws.</summary>
    void SetFreezer(bool frozen, TimeSpan timeout);

    /// <summary>Adds what <paramref name="controller"/> accounts to <paramref name="stats"/>.</summary>
    void CollectStats(string controller, CgroupStats stats);
}
