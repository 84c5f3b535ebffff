using System.Text.Json.Nodes;

namespace Runtime.SpecTests.Fuzz;

/// <summary>Seeded mutations of a valid config.json: wrong types, removed and duplicated fields,
/// extreme numbers, hostile strings and paths. Deterministic for a seed, so a failure replays.</summary>
public sealed class ConfigMutator(int seed)
{
    private readonly Random _rng = new(seed);

    private static readonly JsonNode?[] Hostile =
    {
        null, true, false, 0, -1, long.MaxValue, long.MinValue, ulong.MaxValue, 1.5, "", "../../..", "/proc/self/fd/3",
        "/../../etc", new string('a', 5000), "\u0000", "💥", "1g", "-1", "SCMP_ACT_FOO", "CAP_FOO", "RLIMIT_FOO",
        "/dev/null", "/sys", "/proc", "rbind", "shared", new JsonArray(), new JsonObject(), new JsonArray(1, "x", null),
    };

    public string Mutate(string json)
    {
        var root = JsonNode.Parse(json)!;
        int n = 1 + _rng.Next(3);
        for (int i = 0; i < n; i++)
            MutateOne(root);
        return root.ToJsonString();
    }

    private void MutateOne(JsonNode root)
    {
        var nodes = new List<(JsonNode Parent, object Key)>();
        Collect(root, nodes);
        if (nodes.Count == 0) return;
        var (parent, key) = nodes[_rng.Next(nodes.Count)];
        var value = Hostile[_rng.Next(Hostile.Length)]?.DeepClone();
        switch (_rng.Next(4))
        {
            case 0: // replace with a hostile value
                Set(parent, key, value);
                break;
            case 1: // remove
                if (parent is JsonObject o) o.Remove((string)key);
                else if (parent is JsonArray a) a.RemoveAt((int)key);
                break;
            case 2: // duplicate an array element or add an unknown field
                if (parent is JsonArray arr && arr[(int)key] is { } el) arr.Add(el.DeepClone());
                else if (parent is JsonObject obj) obj["x-unknown-" + _rng.Next(100)] = value;
                break;
            default: // numbers: off by one, negated, huge
                var cur = Get(parent, key);
                if (cur is JsonValue v && v.TryGetValue<long>(out long l))
                    Set(parent, key, _rng.Next(3) switch { 0 => l + 1, 1 => -l, _ => l * 1_000_000_007 });
                else
                    Set(parent, key, value);
                break;
        }
    }

    private static JsonNode? Get(JsonNode parent, object key) => parent is JsonObject o ? o[(string)key] : ((JsonArray)parent)[(int)key];

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o) o[(string)key] = value;
        else ((JsonArray)parent)[(int)key] = value;
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                into.Add((o, k));
                if (v != null) Collect(v, into);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                into.Add((a, i));
                if (a[i] is { } c) Collect(c, into);
            }
    }
}
