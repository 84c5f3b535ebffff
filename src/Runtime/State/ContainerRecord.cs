using Runtime.Spec;

namespace Runtime.State;

/// <summary>What the runtime remembers about a container between commands (state.json in its state
/// directory; see <see cref="ContainerRecordJson"/>). The live status is not stored: it is derived from the
/// init process and the exec fifo.</summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    /// <summary>Host pid of the container's init; 0 while creating.</summary>
    public int Pid { get; set; }
    /// <summary>Start time of the init (field 22 of /proc/pid/stat), so a reused pid never reads as alive.</summary>
    public ulong PidStartTime { get; set; }
    public DateTimeOffset Created { get; set; }
    public string Owner { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Hooks run after create returns: poststart by `start`, poststop by `delete`.</summary>
    public List<Hook>? Poststart { get; set; }
    public List<Hook>? Poststop { get; set; }
    /// <summary>Cgroup directories per hierarchy, so later commands reopen them without re-resolving.</summary>
    public Cgroups.CgroupPaths? Cgroup { get; set; }
    /// <summary>True when the container has its own pid namespace: killing init then kills everything.</summary>
    public bool PrivatePidNamespace { get; set; }
    /// <summary>Paths of the namespaces the container's init lives in (for exec).</summary>
    public List<string>? NamespaceTypes { get; set; }
    public bool Started { get; set; }
    /// <summary>create finished: until then the container is "creating" whatever its init does.</summary>
    public bool Ready { get; set; }
    /// <summary>linux.seccomp, which `exec`'d processes get too.</summary>
    public LinuxSeccomp? Seccomp { get; set; }
    /// <summary>process.terminal: the init's stdio is a pty whose master went to the console socket.</summary>
    public bool Terminal { get; set; }
}
