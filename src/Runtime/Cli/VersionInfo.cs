using System.Reflection;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Cli;

/// <summary>`--version`: three lines like runc (version, commit, spec).</summary>
internal static class VersionInfo
{
    public const string Version = "0.1.0";

    public static string Commit =>
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } v
        && v.IndexOf('+') is var i and >= 0 ? v[(i + 1)..] : "unknown";

    // The native stage's ABI is checked here because --version is the cheapest call that links it.
    public static string Text =>
        $"runtime version {Version}\ncommit: {Commit}\nspec: {SpecVersion.Current}\n" +
        (NativeStage.NativeAbiVersion() == NativeStage.AbiVersion ? "" : "warning: native stage ABI mismatch\n");
}
