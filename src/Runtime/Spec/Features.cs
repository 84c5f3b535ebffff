namespace Runtime.Spec;

// The features document (features.md) printed by `runtime features`.

public sealed class Features
{
    public string? OciVersionMin { get; set; }
    public string? OciVersionMax { get; set; }
    public List<string>? Hooks { get; set; }
    public List<string>? MountOptions { get; set; }
    public LinuxFeatures? Linux { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public List<string>? PotentiallyUnsafeConfigAnnotations { get; set; }
}

public sealed class LinuxFeatures
{
    public List<string>? Namespaces { get; set; }
    public List<string>? Capabilities { get; set; }
    public CgroupFeatures? Cgroup { get; set; }
    public SeccompFeatures? Seccomp { get; set; }
    public EnabledFeature? Apparmor { get; set; }
    public EnabledFeature? Selinux { get; set; }
    public EnabledFeature? IntelRdt { get; set; }
    public MountExtensionsFeatures? MountExtensions { get; set; }
    public EnabledFeature? NetDevices { get; set; }
}

public sealed class CgroupFeatures
{
    public bool? V1 { get; set; }
    public bool? V2 { get; set; }
    public bool? Systemd { get; set; }
    public bool? SystemdUser { get; set; }
    public bool? Rdma { get; set; }
}

public sealed class SeccompFeatures
{
    public bool? Enabled { get; set; }
    public List<string>? Actions { get; set; }
    public List<string>? Operators { get; set; }
    public List<string>? Archs { get; set; }
    public List<string>? KnownFlags { get; set; }
    public List<string>? SupportedFlags { get; set; }
}

public sealed class EnabledFeature
{
    public bool? Enabled { get; set; }
}

public sealed class MountExtensionsFeatures
{
    public EnabledFeature? Idmap { get; set; }
}
