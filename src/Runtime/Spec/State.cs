namespace Runtime.Spec;

/// <summary>What `state ID` prints: the OCI state (runtime.md) plus runc's rootfs, created and owner.</summary>
public sealed class ContainerStateView
{
    public string OciVersion { get; set; } = SpecVersion.Current;
    public string Id { get; set; } = "";
    public int Pid { get; set; }
    public string Status { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    /// <summary>RFC 3339 in UTC with fractional seconds, like runc ("2026-11-23T20:29:02.9408264Z").</summary>
    public string Created { get; set; } = "";
    public string Owner { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>The OCI state document hooks receive on stdin (runtime.md "State").</summary>
public sealed class OciState
{
    public string OciVersion { get; set; } = SpecVersion.Current;
    public string Id { get; set; } = "";
    public string Status { get; set; } = "";
    public int Pid { get; set; }
    public string Bundle { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
}

public static class SpecVersion
{
    /// <summary>The runtime-spec version we implement and write into state.</summary>
    public const string Current = "1.2.0";
    /// <summary>The oldest config ociVersion we accept (runc accepts 1.0.0 onwards).</summary>
    public const string Min = "1.0.0";
}
