using Runtime.Namespaces;
using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>The valid entries of linux.namespaces, by type: what the other checks ask about.</summary>
internal sealed class NamespaceSet
{
    private readonly Dictionary<string, (int Index, string? Path)> _byType = new();

    public void Add(string type, int index, string? path) => _byType[type] = (index, string.IsNullOrEmpty(path) ? null : path);

    /// <summary>The container has its own namespace of this type (created or joined), as runc's Contains.</summary>
    public bool Has(string type) => _byType.ContainsKey(type);

    public bool Creates(string type) => _byType.TryGetValue(type, out var e) && e.Path == null;

    public string? PathOf(string type) => _byType.TryGetValue(type, out var e) ? e.Path : null;

    public int IndexOf(string type) => _byType.TryGetValue(type, out var e) ? e.Index : -1;
}

/// <summary>linux.namespaces (config-linux.md "Namespaces") and what needs a namespace: id mappings need
/// user, timeOffsets need time. Whether a path really is a namespace of its type is checked when the
/// namespaces are joined (Namespaces/NamespacePlan).</summary>
internal static class NamespaceValidator
{
    // runc checks these three: kernels may be built without them.
    private static readonly string[] Optional = ["user", "cgroup", "time"];

    public static NamespaceSet Check(Spec spec, ValidationOptions o, ValidationResult r)
    {
        var set = new NamespaceSet();
        var linux = spec.Linux;
        var list = linux?.Namespaces;
        for (int i = 0; i < (list?.Count ?? 0); i++)
        {
            var ns = list![i];
            var at = $"linux.namespaces[{i}]";
            if (ns == null)
            {
                r.Problem(at, "expected object, got null");
                continue;
            }
            if (string.IsNullOrEmpty(ns.Type))
            {
                r.Problem(at + ".type", "required");
                continue;
            }
            var kind = NamespaceKinds.BySpecName(ns.Type);
            if (kind == null)
            {
                r.Problem(at + ".type", $"unknown namespace type {Quote(ns.Type)} (known: pid, network, mount, ipc, uts, user, cgroup, time)");
                continue;
            }
            if (set.Has(ns.Type))
            {
                r.Problem(at, $"duplicate namespace type {Quote(ns.Type)} (also linux.namespaces[{set.IndexOf(ns.Type)}])");
                continue;
            }
            if (!string.IsNullOrEmpty(ns.Path) && !IsAbsolute(ns.Path))
                r.Problem(at + ".path", $"{Quote(ns.Path)} is not an absolute path");
            else
                NoNul(ns.Path, at + ".path", r);
            if (Array.IndexOf(Optional, ns.Type) >= 0 && !o.Host.HasNamespaceKind(kind.ProcName))
                r.Problem(at, $"this kernel has no {ns.Type} namespaces");
            set.Add(ns.Type, i, ns.Path);
        }

        UserNamespace(linux, set, r);
        TimeNamespace(linux, set, r);
        return set;
    }

    private static void UserNamespace(Linux? linux, NamespaceSet set, ValidationResult r)
    {
        bool uid = linux?.UidMappings is { Count: > 0 }, gid = linux?.GidMappings is { Count: > 0 };
        if (set.Creates("user") && (!uid || !gid))
            r.Problem($"linux.namespaces[{set.IndexOf("user")}]", "a new user namespace needs linux.uidMappings and linux.gidMappings");
        else if (!set.Has("user") && (uid || gid))
            r.Problem(uid ? "linux.uidMappings" : "linux.gidMappings", $"id mappings need a user namespace {AddNamespace("user")}");
        IdMappings.Check(linux?.UidMappings, "linux.uidMappings", r);
        IdMappings.Check(linux?.GidMappings, "linux.gidMappings", r);
    }

    private static void TimeNamespace(Linux? linux, NamespaceSet set, ValidationResult r)
    {
        var offsets = linux?.TimeOffsets;
        if (offsets is not { Count: > 0 })
            return;
        if (!set.Has("time"))
            r.Problem("linux.timeOffsets", $"time offsets need a time namespace {AddNamespace("time")}");
        else if (set.PathOf("time") != null)
            r.Problem("linux.timeOffsets", $"cannot set offsets of the existing time namespace joined at linux.namespaces[{set.IndexOf("time")}].path");
        foreach (var (clock, offset) in offsets)
        {
            var at = $"linux.timeOffsets[{Quote(clock)}]";
            if (clock is not ("monotonic" or "boottime"))
                r.Problem(at, "unknown clock (a time namespace offsets \"monotonic\" and \"boottime\")");
            else if (offset == null)
                r.Problem(at, "expected object, got null");
            else if (offset.Nanosecs >= 1_000_000_000)
                r.Problem(at + ".nanosecs", $"{offset.Nanosecs} is not below 1000000000");
        }
    }
}

/// <summary>hostname and domainname: need a UTS namespace (runc), fit the kernel's 64 bytes.</summary>
internal static class HostnameValidator
{
    public static void Check(Spec spec, NamespaceSet set, ValidationResult r)
    {
        Name("hostname", spec.Hostname, set, r);
        Name("domainname", spec.Domainname, set, r);
    }

    private static void Name(string field, string? value, NamespaceSet set, ValidationResult r)
    {
        if (string.IsNullOrEmpty(value))
            return;
        if (!set.Has("uts"))
            r.Problem(field, $"setting the {field} needs a UTS namespace {AddNamespace("uts")}");
        else if (System.Text.Encoding.UTF8.GetByteCount(value) > 64)
            r.Problem(field, $"{Quote(value)} is longer than 64 bytes");
        else
            NoNul(value, field, r);
    }
}
