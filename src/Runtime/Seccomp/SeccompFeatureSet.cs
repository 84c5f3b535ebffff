using Runtime.Spec;

namespace Runtime.Seccomp;

/// <summary>The seccomp part of the `features` document (features-linux.md) from this code's own
/// tables: enabled when libseccomp loads, the architectures that libseccomp knows, the flags this
/// kernel accepts. For <see cref="FeatureSupport.Seccomp"/> once create and exec load filters.</summary>
internal static class SeccompFeatureSet
{
    public static SeccompSupport Support()
    {
        if (!Libseccomp.IsAvailable)
            return SeccompSupport.None;
        return new SeccompSupport(
            Enabled: true,
            Actions: SeccompNames.Actions.Keys.Order(StringComparer.Ordinal).ToList(),
            Operators: SeccompNames.Operators.Keys.Order(StringComparer.Ordinal).ToList(),
            Archs: SeccompNames.Architectures.Where(a => Linux.Libc.ScmpArchResolveName(a.Value) != 0).Select(a => a.Key).Order(StringComparer.Ordinal).ToList(),
            KnownFlags: SeccompNames.Flags.Select(f => f.Key).ToList(),
            SupportedFlags: SeccompNames.Flags.Where(f => f.Value == 0 || SeccompKernel.FlagSupported(f.Value)).Select(f => f.Key).ToList(),
            LibseccompVersion: Libseccomp.Version);
    }
}
