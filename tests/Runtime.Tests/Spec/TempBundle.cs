using System.Text;

namespace Runtime.Tests.SpecTests;

/// <summary>A bundle directory of the test's own (with an empty rootfs), removed afterwards even on failure.</summary>
internal sealed class TempBundle : IDisposable
{
    public string Dir { get; }
    public string ConfigPath => Path.Combine(Dir, "config.json");

    public TempBundle(bool withRootfs = true)
    {
        Dir = Directory.CreateTempSubdirectory("runtime-spec-test-").FullName;
        if (withRootfs)
            Directory.CreateDirectory(Path.Combine(Dir, "rootfs"));
    }

    public TempBundle WithConfig(string json)
    {
        File.WriteAllText(ConfigPath, json, new UTF8Encoding(false));
        return this;
    }

    public string WriteFile(string name, string text)
    {
        var p = Path.Combine(Dir, name);
        File.WriteAllText(p, text, new UTF8Encoding(false));
        return p;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>A small valid config.json; <paramref name="linux"/> and <paramref name="extra"/> are spliced in.</summary>
    public static string Config(string process = "{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"}",
        string? linux = null, string? extra = null) =>
        "{\n  \"ociVersion\": \"1.2.0\",\n  \"process\": " + process + ",\n  \"root\": {\"path\": \"rootfs\"}" +
        (linux == null ? "" : ",\n  \"linux\": " + linux) + (extra == null ? "" : ",\n  " + extra) + "\n}\n";
}
