using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>
/// linux.sysctl, by runc's rules (libcontainer/configs/validate sysctl()): /proc/sys is only partly
/// namespaced, so each key must belong to a namespace the container has of its own; anything else
/// would change the host.
/// </summary>
internal static class SysctlValidator
{
    // The IPC namespace's sysctls (plus fs.mqueue.*).
    private static readonly HashSet<string> Ipc =
    [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ];

    public static void Check(Dictionary<string, string>? sysctl, NamespaceSet ns, HostFacts host, ValidationResult r)
    {
        if (sysctl == null)
            return;
        bool? hostNet = null;
        string? netError = null;
        foreach (var (rawKey, value) in sysctl)
        {
            var at = $"linux.sysctl[{Quote(rawKey)}]";
            if (value == null)
            {
                r.Problem(at, "expected string, got null");
                continue;
            }
            var key = DotForm(rawKey);
            if (!IsName(key))
            {
                r.Problem(at, "not a sysctl name (dot-separated, like \"net.ipv4.ip_forward\")");
                continue;
            }
            if (Ipc.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!ns.Has("ipc"))
                    r.Problem(at, $"not allowed in the host's IPC namespace {AddNamespace("ipc")}");
                continue;
            }
            if (key.StartsWith("net.", StringComparison.Ordinal))
            {
                hostNet ??= IsHostNetwork(ns, host, out netError);
                if (netError != null)
                    r.Problem(at, $"cannot check linux.namespaces[{ns.IndexOf("network")}].path: {netError}");
                else if (hostNet == true)
                    r.Problem(at, ns.Has("network")
                        ? $"not allowed: linux.namespaces[{ns.IndexOf("network")}].path is the host's network namespace"
                        : $"not allowed in the host's network namespace {AddNamespace("network")}");
                continue;
            }
            if (ns.Has("uts"))
            {
                if (key == "kernel.domainname")
                    continue;
                if (key == "kernel.hostname")
                {
                    r.Problem(at, "conflicts with the \"hostname\" field: set that instead");
                    continue;
                }
            }
            if (key.StartsWith("user.", StringComparison.Ordinal))
            {
                // Changing ucounts outside a user namespace would change them for the whole host.
                if (!ns.Has("user"))
                    r.Problem(at, $"setting ucounts needs a user namespace {AddNamespace("user")}");
                continue;
            }
            r.Problem(at, "not in a namespace of the container's own: setting it would change the host");
        }
    }

    /// <summary>sysctl(8) also accepts '/' as the separator, in which case '.' may appear inside a
    /// component ("net/ipv4/conf/eno2.100/rp_filter"); runc swaps the two to validate.</summary>
    internal static string DotForm(string key)
    {
        int sep = key.IndexOfAny(['.', '/']);
        if (sep < 0 || key[sep] == '.')
            return key;
        return string.Create(key.Length, key, static (span, k) =>
        {
            for (int i = 0; i < k.Length; i++)
                span[i] = k[i] switch { '.' => '/', '/' => '.', var c => c };
        });
    }

    /// <summary>Components of letters, digits and the few punctuation marks /proc/sys uses, no empty
    /// component: a key can never walk out of /proc/sys.</summary>
    private static bool IsName(string key)
    {
        foreach (var part in key.Split('.'))
        {
            if (part.Length == 0)
                return false;
            foreach (char c in part)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '/' or '+' or ':' or '@'))
                    return false;
            if (part.Split('/').Any(seg => seg.Length == 0 || seg == ".."))
                return false;
        }
        return true;
    }

    private static bool IsHostNetwork(NamespaceSet ns, HostFacts host, out string? error)
    {
        error = null;
        if (!ns.Has("network"))
            return true;
        var path = ns.PathOf("network");
        return path != null && host.IsCurrentNamespace(path, "net", out error);
    }
}
