using System.Text.Json.Nodes;

namespace Runtime.Bench;

/// <summary>
/// The bundles every runtime gets, generated from `runc spec` (the reference default config):
/// terminal off, the shared busybox rootfs, and (unless disabled) a memory and a pids limit so
/// each runtime that applies cgroups does the same cgroup work.
/// </summary>
public sealed class Bundles
{
    public const long MemoryLimit = 256L << 20;
    public const long PidsLimit = 1024;

    public string True { get; }
    public string Sleep { get; }
    public bool Limits { get; }

    public Bundles(Spawner spawner, string runc, string rootfs, string dir, bool limits)
    {
        Limits = limits;
        var specDir = Path.Combine(dir, "spec");
        Directory.CreateDirectory(specDir);
        spawner.Run(runc, ["spec", "--bundle", specDir]);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(specDir, "config.json")))!.AsObject();
        True = Write(dir, "true", spec, rootfs, ["/bin/true"]);
        Sleep = Write(dir, "sleep", spec, rootfs, ["/bin/sleep", "1000000"]);
    }

    private string Write(string dir, string name, JsonObject template, string rootfs, string[] args)
    {
        var spec = template.DeepClone().AsObject();
        var process = spec["process"]!.AsObject();
        process["terminal"] = false;
        process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        spec["root"] = new JsonObject { ["path"] = Path.GetFullPath(rootfs), ["readonly"] = true };
        if (Limits)
        {
            var linux = spec["linux"]!.AsObject();
            var resources = linux["resources"] as JsonObject ?? new JsonObject();
            resources["memory"] = new JsonObject { ["limit"] = MemoryLimit };
            resources["pids"] = new JsonObject { ["limit"] = PidsLimit };
            linux["resources"] = resources;
        }
        var bundle = Path.Combine(dir, name);
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, "config.json"), spec.ToJsonString(new() { WriteIndented = true }));
        return bundle;
    }
}
