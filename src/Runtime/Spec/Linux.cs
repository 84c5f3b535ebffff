using System.Text.Json.Serialization;

namespace Runtime.Spec;

// linux.* of config.json (config-linux.md).

public sealed class Linux
{
    // In runtime-spec's (specs-go) field order, so `spec` prints what runc prints.
    public List<LinuxIdMapping>? UidMappings { get; set; }
    public List<LinuxIdMapping>? GidMappings { get; set; }
    public Dictionary<string, string>? Sysctl { get; set; }
    public LinuxResources? Resources { get; set; }
    public string? CgroupsPath { get; set; }
    public List<LinuxNamespace>? Namespaces { get; set; }
    public List<LinuxDevice>? Devices { get; set; }
    public Dictionary<string, LinuxNetDevice>? NetDevices { get; set; }
    public LinuxSeccomp? Seccomp { get; set; }
    public string? RootfsPropagation { get; set; }
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }
    public string? MountLabel { get; set; }
    public LinuxIntelRdt? IntelRdt { get; set; }
    public LinuxMemoryPolicy? MemoryPolicy { get; set; }
    public LinuxPersonality? Personality { get; set; }
    public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
}

public sealed class LinuxNamespace
{
    public string? Type { get; set; }
    public string? Path { get; set; }
}

public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint ContainerId { get; set; }
    [JsonPropertyName("hostID")] public uint HostId { get; set; }
    public uint Size { get; set; }
}

public sealed class LinuxTimeOffset
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Secs { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public uint Nanosecs { get; set; }
}

public sealed class LinuxDevice
{
    public string? Path { get; set; }
    public string? Type { get; set; }
    /// <summary>Required for c, b and u devices (validation checks), meaningless for p.</summary>
    public long? Major { get; set; }
    public long? Minor { get; set; }
    public uint? FileMode { get; set; }
    public uint? Uid { get; set; }
    public uint? Gid { get; set; }
}

public sealed class LinuxNetDevice
{
    public string? Name { get; set; }
}

public sealed class LinuxSeccomp
{
    public string? DefaultAction { get; set; }
    public uint? DefaultErrnoRet { get; set; }
    public List<string>? Architectures { get; set; }
    public List<string>? Flags { get; set; }
    public string? ListenerPath { get; set; }
    public string? ListenerMetadata { get; set; }
    public List<LinuxSyscall>? Syscalls { get; set; }
}

public sealed class LinuxSyscall
{
    public List<string>? Names { get; set; }
    public string? Action { get; set; }
    public uint? ErrnoRet { get; set; }
    public List<LinuxSeccompArg>? Args { get; set; }
}

public sealed class LinuxSeccompArg
{
    public uint Index { get; set; }
    public ulong Value { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ValueTwo { get; set; }
    public string? Op { get; set; }
}

public sealed class LinuxIntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    public List<string>? Schemata { get; set; }
    public string? L3CacheSchema { get; set; }
    public string? MemBwSchema { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool EnableMonitoring { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault), JsonPropertyName("enableCMT")] public bool EnableCmt { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault), JsonPropertyName("enableMBM")] public bool EnableMbm { get; set; }
}

public sealed class LinuxPersonality
{
    public string? Domain { get; set; }
    public List<string>? Flags { get; set; }
}

public sealed class LinuxMemoryPolicy
{
    public string? Mode { get; set; }
    public string? Nodes { get; set; }
    public List<string>? Flags { get; set; }
}
