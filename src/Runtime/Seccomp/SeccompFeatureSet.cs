using Runtime.Spec;

namespace Runtime.Seccomp;

/// <summary>linux.seccomp of the `features` document (features-linux.md), from this host: enabled
/// when libseccomp loads, the archs that libseccomp knows, the flags this kernel accepts.</summary>
internal static class SeccompFeatureSet
{
    public static SeccompFeatures Describe()
    {
        bool enabled = Libseccomp.IsAvailable;
        return new SeccompFeatures
        {
            Enabled = enabled,
            Actions = SeccompNames.Actions.Keys.Order(StringComparer.Ordinal).ToList(),
            Operators = SeccompNames.Operators.Keys.Order(StringComparer.Ordinal).ToList(),
            Archs = enabled
                ? SeccompNames.Architectures.Where(a => Linux.Libc.ScmpArchResolveName(a.Value) != 0).Select(a => a.Key).Order(StringComparer.Ordinal).ToList()
                : new List<string>(),
            KnownFlags = SeccompNames.Flags.Select(f => f.Key).ToList(),
            SupportedFlags = enabled
                ? SeccompNames.Flags.Where(f => f.Value == 0 || SeccompKernel.FlagSupported(f.Value)).Select(f => f.Key).ToList()
                : new List<string>(),
        };
    }

    /// <summary>The annotation runc adds to `features` ("io.github.seccomp.libseccomp.version").</summary>
    public static KeyValuePair<string, string>? VersionAnnotation() =>
        Libseccomp.Version is { } v ? new("io.github.seccomp.libseccomp.version", v) : null;
}
