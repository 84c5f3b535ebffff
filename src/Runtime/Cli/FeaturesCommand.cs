using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime features`: no flags, no arguments.</summary>
internal sealed record FeaturesOptions;

internal static class FeaturesCommand
{
    public static readonly CliCommand Definition = new CliCommand<FeaturesOptions>("features", Build, _ => new FeaturesOptions(), Invoke);

    private static Command Build() => new("features", """
        show the enabled features
        Show the enabled features, as JSON (the OCI runtime-spec's features document).
        """);

    public static int Invoke(GlobalOptions g, FeaturesOptions o)
    {
        Console.Out.Write(Runtime.Spec.FeaturesDocument.ToJson(Runtime.Spec.FeaturesDocument.Build()));
        return 0;
    }
}
