using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>ociVersion: SemVer, major 1, at least <see cref="SpecVersion.Min"/>. Later 1.x minors are
/// accepted: SemVer minors only add fields, and unknown fields are ignored as the spec requires (runc
/// likewise runs configs newer than its own spec version).</summary>
internal static class VersionValidator
{
    public static void Check(string? version, ValidationResult r)
    {
        if (string.IsNullOrEmpty(version))
        {
            r.Problem("ociVersion", $"required (the runtime-spec version the bundle follows, e.g. \"{SpecVersion.Current}\")");
            return;
        }
        if (!SemVer.TryParse(version, out var v))
        {
            r.Problem("ociVersion", $"{Quote(version)} is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. \"{SpecVersion.Current}\")");
            return;
        }
        SemVer.TryParse(SpecVersion.Min, out var min);
        if (v.Major != min.Major)
            r.Problem("ociVersion", $"{Quote(version)} is not supported: this runtime implements runtime-spec {SpecVersion.Current} " +
                                    $"and runs configs from {SpecVersion.Min} up to {min.Major}.x");
        else if (v.CompareTo(min) < 0)
            r.Problem("ociVersion", $"{Quote(version)} is older than the oldest supported version {SpecVersion.Min}");
    }
}
