using System.Globalization;

namespace Runtime.Cgroups.Devices;

/// <summary>
/// The state of a cgroup v1 devices controller, computed the way the kernel computes it: a default
/// (allow-all or deny-all) and exceptions keyed by exact (type, major, minor). A rule with the default's own
/// action removes access from the exactly matching exception only, so it cannot "punch a hole" into a wildcard
/// exception; the kernel silently ignores such a rule, we refuse it (as runc does) so nobody believes a device is
/// denied when it is not.
///
/// Used three ways: to check the spec's rules before writing anything; to compute the minimal, non-disruptive
/// writes that turn a live cgroup into the target on update (no transient deny-all while the container runs);
/// and to give cgroup v2's eBPF filter exactly v1's semantics: the final rules all share one action, so their
/// order no longer matters.
/// </summary>
public sealed class DeviceEmulator
{
    private readonly record struct Key(char Type, long Major, long Minor);

    private readonly Dictionary<Key, DeviceAccess> exceptions = new();

    /// <summary>True in allow-list-of-denials mode ("a *:* rwm" in devices.list): everything not excepted is allowed.</summary>
    public bool DefaultAllow { get; private set; }

    private DeviceEmulator(bool defaultAllow) => DefaultAllow = defaultAllow;

    public static DeviceEmulator DenyAll() => new(false);

    /// <summary>What applying <paramref name="rules"/> in order to a deny-all cgroup gives (runc starts every container there).</summary>
    public static DeviceEmulator FromRules(IReadOnlyList<DeviceRule> rules)
    {
        var e = DenyAll();
        for (int i = 0; i < rules.Count; i++) e.Apply(rules[i], $"linux.resources.devices[{i}]");
        return e;
    }

    /// <summary>The state a devices.list shows. In allow-all mode the list cannot show the denials, so it reads as plain allow-all.</summary>
    public static DeviceEmulator FromList(string devicesList)
    {
        var e = DenyAll();
        foreach (var raw in devicesList.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = raw.Trim();
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var mm = parts.Length == 3 ? parts[1].Split(':') : [];
            if (parts.Length != 3 || parts[0].Length != 1 || "abc".IndexOf(parts[0][0]) < 0 || mm.Length != 2 ||
                DeviceRule.ParseAccess(parts[2]) is not { } access || access == DeviceAccess.None)
                throw new FormatException($"devices.list: cannot parse \"{line}\"");
            e.Apply(new DeviceRule(parts[0][0], ParseNumber(mm[0], line), ParseNumber(mm[1], line), access, Allow: true), "devices.list");
        }
        return e;
    }

    private static long ParseNumber(string s, string line) =>
        s == "*" ? DeviceRule.Wildcard
        : uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new FormatException($"devices.list: cannot parse \"{line}\"");

    /// <summary>Applies one rule as writing it to devices.allow (Allow) or devices.deny would.</summary>
    public void Apply(DeviceRule rule, string field)
    {
        if (rule.Type == 'a')
        {
            // "a" switches the default and drops every exception, whatever access it names.
            DefaultAllow = rule.Allow;
            exceptions.Clear();
            return;
        }
        var key = new Key(rule.Type, rule.Major, rule.Minor);
        if (rule.Allow != DefaultAllow)
        {
            exceptions[key] = exceptions.GetValueOrDefault(key) | rule.Access;
            return;
        }
        // Taking an exception away: only an exact match is touched. Refuse when a wildcard exception covering
        // this device would keep granting (or denying) what the rule asks to take away.
        foreach (var wider in new[] { key with { Major = DeviceRule.Wildcard }, key with { Minor = DeviceRule.Wildcard },
                     key with { Major = DeviceRule.Wildcard, Minor = DeviceRule.Wildcard } })
        {
            if (wider == key) continue;
            var overlap = exceptions.GetValueOrDefault(wider) & rule.Access;
            if (overlap != DeviceAccess.None)
                throw new RuntimeException(
                    $"{field}: \"{rule}\" ({(rule.Allow ? "allow" : "deny")}) cannot be applied: the earlier wildcard rule " +
                    $"\"{new DeviceRule(wider.Type, wider.Major, wider.Minor, exceptions[wider], !rule.Allow)}\" covers it, " +
                    "and the devices cgroup cannot punch a hole into a wildcard rule");
        }
        var left = exceptions.GetValueOrDefault(key) & ~rule.Access;
        if (left == DeviceAccess.None) exceptions.Remove(key);
        else exceptions[key] = left;
    }

    /// <summary>Exceptions in a stable order (major, minor, type) so generated writes and programs are deterministic.</summary>
    private IEnumerable<KeyValuePair<Key, DeviceAccess>> Ordered() =>
        exceptions.OrderBy(e => e.Key.Major).ThenBy(e => e.Key.Minor).ThenBy(e => e.Key.Type);

    /// <summary>
    /// The writes that turn a cgroup in this state into <paramref name="target"/>: a disruptive "a" rule only when the
    /// default must change (or this state is allow-all, whose denials devices.list cannot show), then the
    /// exceptions to drop, then the ones to add.
    /// </summary>
    public IReadOnlyList<DeviceRule> TransitionTo(DeviceEmulator target)
    {
        var rules = new List<DeviceRule>();
        var old = exceptions;
        if (DefaultAllow || DefaultAllow != target.DefaultAllow)
        {
            rules.Add(DeviceRule.AllDevices(target.DefaultAllow));
            old = new Dictionary<Key, DeviceAccess>();
        }
        foreach (var (key, access) in old.OrderBy(e => e.Key.Major).ThenBy(e => e.Key.Minor).ThenBy(e => e.Key.Type))
        {
            var dropped = access & ~target.exceptions.GetValueOrDefault(key);
            if (dropped != DeviceAccess.None)
                rules.Add(new DeviceRule(key.Type, key.Major, key.Minor, dropped, target.DefaultAllow));
        }
        foreach (var (key, access) in target.Ordered())
        {
            var gained = access & ~old.GetValueOrDefault(key);
            if (gained != DeviceAccess.None)
                rules.Add(new DeviceRule(key.Type, key.Major, key.Minor, gained, !target.DefaultAllow));
        }
        return rules;
    }

    /// <summary>This state as rules from a deny-all start: at most a leading "a" allow, then exceptions that all
    /// carry the opposite of the default.</summary>
    public IReadOnlyList<DeviceRule> Rules() => DenyAll().TransitionTo(this);

    /// <summary>Same default and same exceptions.</summary>
    public bool SameAs(DeviceEmulator other) =>
        DefaultAllow == other.DefaultAllow && exceptions.Count == other.exceptions.Count &&
        exceptions.All(e => other.exceptions.TryGetValue(e.Key, out var a) && a == e.Value);

    public override string ToString() =>
        (DefaultAllow ? "allow all" : "deny all") +
        string.Concat(Ordered().Select(e => $", {(DefaultAllow ? "deny" : "allow")} {new DeviceRule(e.Key.Type, e.Key.Major, e.Key.Minor, e.Value, !DefaultAllow)}"));
}
