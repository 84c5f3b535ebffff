using System.Text.Json;
using Runtime.Namespaces;

namespace Runtime.Spec;

/// <summary>
/// What `features` prints (features.md, features-linux.md). Recognized names (namespaces, capabilities,
/// mount options, hooks) are what validation accepts; every "enabled" is true only when the runtime
/// implements it (<see cref="FeatureSupport"/>) and, for the LSMs, the host has it active.
/// </summary>
public static class FeaturesDocument
{
    /// <summary>Annotation keys for our own metadata, as runc uses "org.opencontainers.runc.version".</summary>
    public const string AnnotationPrefix = "org.opencontainers.runtime.";

    public static Features Build(FeatureSupport support, HostFacts host, string version, string commit)
    {
        var annotations = new Dictionary<string, string>
        {
            [AnnotationPrefix + "version"] = version,
            [AnnotationPrefix + "commit"] = commit,
            [AnnotationPrefix + "checkpoint.enabled"] = "false",
        };
        var seccomp = support.Seccomp;
        if (seccomp.Enabled && seccomp.LibseccompVersion != null)
            annotations["io.github.seccomp.libseccomp.version"] = seccomp.LibseccompVersion;

        return new Features
        {
            OciVersionMin = SpecVersion.Min,
            OciVersionMax = SpecVersion.Current,
            Hooks = [.. support.Hooks],
            MountOptions = [.. support.MountOptions],
            Linux = new LinuxFeatures
            {
                Namespaces = [.. NamespaceKinds.All.Select(k => k.SpecName).Order(StringComparer.Ordinal)],
                Capabilities = [.. Runtime.Process.Capabilities.Names],
                Cgroup = new CgroupFeatures
                {
                    V1 = support.CgroupV1, V2 = support.CgroupV2, Systemd = support.CgroupSystemd,
                    SystemdUser = support.CgroupSystemdUser, Rdma = support.CgroupRdma,
                },
                Seccomp = seccomp.Enabled
                    ? new SeccompFeatures
                    {
                        Enabled = true, Actions = [.. seccomp.Actions], Operators = [.. seccomp.Operators],
                        Archs = [.. seccomp.Archs], KnownFlags = [.. seccomp.KnownFlags], SupportedFlags = [.. seccomp.SupportedFlags],
                    }
                    : new SeccompFeatures { Enabled = false },
                Apparmor = new EnabledFeature { Enabled = support.AppArmor && host.AppArmorEnabled },
                Selinux = new EnabledFeature { Enabled = support.SELinux && host.SELinuxEnabled },
                IntelRdt = new EnabledFeature { Enabled = support.IntelRdt },
                MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = support.IdmapMounts } },
                NetDevices = new EnabledFeature { Enabled = support.NetDevices },
            },
            Annotations = annotations,
            PotentiallyUnsafeConfigAnnotations = [.. support.PotentiallyUnsafeConfigAnnotations],
        };
    }

    /// <summary>Today's runtime on this host.</summary>
    public static Features Build() =>
        Build(FeatureSupport.Current, HostFacts.Current, Cli.VersionInfo.Version, Cli.VersionInfo.Commit);

    /// <summary>The document as runc prints it: four-space indentation and a final newline (json.Encoder).</summary>
    public static string ToJson(Features features) =>
        JsonSerializer.Serialize(features, FeaturesJsonContext.Default.Features) + "\n";
}
