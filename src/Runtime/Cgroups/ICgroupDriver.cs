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

    // What a side cannot apply but may ignore (kernel memory on a new kernel, leaf weights…) goes to warn.
    void SetMemory(LinuxMemory memory, Action<string> warn);
    void SetCpu(LinuxCpu cpu, Action<string> warn);
    void SetCpuset(LinuxCpu cpu);
    void SetPids(LinuxPids pids);
    void SetBlockIo(LinuxBlockIo blockIo, Action<string> warn);
    void SetHugepages(IReadOnlyList<LinuxHugepageLimit> limits);
    void SetRdma(IReadOnlyDictionary<string, LinuxRdma> rdma);
    /// <summary>Replaces the device rules. <paramref name="freshCgroup"/>: the cgroup was just made, nothing runs in it
    /// yet (v1 then writes the rules as given; a live one only gets the differences).</summary>
    void SetDevices(IReadOnlyList<DeviceRule> rules, bool freshCgroup);

    FreezerState GetFreezerState();
    /// <summary>Freezes and waits until every task is frozen (thawing again if that does not happen in time), or thaws.</summary>
    void SetFreezer(bool frozen, TimeSpan timeout);

    /// <summary>Adds what <paramref name="controller"/> accounts to <paramref name="stats"/>.</summary>
    void CollectStats(string controller, CgroupStats stats);
}
