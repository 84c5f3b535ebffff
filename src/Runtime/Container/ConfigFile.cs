using System.Text.Json;
using Runtime.Spec;

namespace Runtime.Container;

/// <summary>Reads a bundle's config.json (bytes kept: they are what the init receives).</summary>
internal static class ConfigFile
{
    public static (Spec.Spec Spec, byte[] Bytes, string Bundle) Load(string bundleArg)
    {
        var bundle = Path.GetFullPath(string.IsNullOrEmpty(bundleArg) ? "." : bundleArg);
        if (!Directory.Exists(bundle))
            throw new RuntimeException($"bundle {bundle}: not a directory");
        var file = Path.Combine(bundle, "config.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (FileNotFoundException)
        {
            throw new RuntimeException($"bundle {bundle}: config.json not found");
        }
        Spec.Spec spec;
        try
        {
            spec = JsonSerializer.Deserialize(bytes, SpecJsonContext.Default.Spec) ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"config.json: {e.Message}");
        }
        return (spec, bytes, bundle);
    }
}
