using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime spec [--bundle DIR] [--rootless]`: writes a starter config.json.</summary>
internal sealed record SpecOptions(string? Bundle, bool Rootless);

internal static class SpecCommand
{
    private static readonly Option<string?> Bundle = Flags.Bundle("path to the root of the bundle directory");
    private static readonly Option<bool> Rootless = Flags.Bool("--rootless", "generate a configuration for a rootless container");

    public static readonly CliCommand Definition = new CliCommand<SpecOptions>("spec", Build, Bind, Invoke);

    private static Command Build() => new("spec", """
        create a new specification file
        The spec command creates the new specification file named "config.json" for
        the bundle. The spec generated is just a starter file: edit it (its args run
        "sh" by default). With --rootless it suits a rootless container.
        """)
    {
        Bundle, Rootless,
    };

    private static SpecOptions Bind(ParseResult r) => new(r.GetValue(Bundle), r.GetValue(Rootless));

    public static int Invoke(GlobalOptions g, SpecOptions o)
    {
        Runtime.Spec.DefaultSpec.WriteDefault(o.Bundle ?? ".", o.Rootless);
        return 0;
    }
}
