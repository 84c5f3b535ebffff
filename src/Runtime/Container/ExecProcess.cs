using Runtime.Spec;

namespace Runtime.Container;

/// <summary>The process `exec` runs when given on the command line rather than by --process: the
/// container's own process from its bundle, with runc's overrides.</summary>
internal sealed record ExecOverrides(IReadOnlyList<string> Args, string? Cwd = null, IReadOnlyList<string>? Env = null,
    bool Tty = false, string? User = null, IReadOnlyList<uint>? AdditionalGids = null, IReadOnlyList<string>? Caps = null,
    bool NoNewPrivs = false, string? Apparmor = null, string? ProcessLabel = null);

internal static class ExecProcess
{
    public static Spec.Process FromBundle(string bundle, ExecOverrides o)
    {
        if (o.Args.Count == 0)
            throw new RuntimeException("exec: arguments must be specified (or use --process)");
        var (spec, _, _) = ConfigFile.Load(bundle);
        var p = spec.Process ?? new Spec.Process();
        p.Args = o.Args.ToList();
        p.Terminal = o.Tty;
        if (o.Cwd != null) p.Cwd = o.Cwd;
        if (o.Env is { Count: > 0 })
            p.Env = (p.Env ?? new List<string>()).Concat(o.Env).ToList();
        if (o.User != null)
            p.User = ParseUser(o.User, p.User);
        if (o.AdditionalGids is { Count: > 0 })
            (p.User ??= new User()).AdditionalGids = o.AdditionalGids.ToList();
        if (o.Caps is { Count: > 0 })
        {
            var caps = p.Capabilities ??= new LinuxCapabilities();
            foreach (var c in o.Caps)
                foreach (var set in new[] { caps.Bounding ??= new(), caps.Effective ??= new(), caps.Permitted ??= new(), caps.Ambient ??= new() })
                    if (!set.Contains(c)) set.Add(c);
        }
        if (o.NoNewPrivs) p.NoNewPrivileges = true;
        if (o.Apparmor != null) p.ApparmorProfile = o.Apparmor;
        if (o.ProcessLabel != null) p.SelinuxLabel = o.ProcessLabel;
        return p;
    }

    /// <summary>--user uid[:gid], numeric like runc (names would need the container's /etc/passwd).</summary>
    public static User ParseUser(string text, User? current)
    {
        var parts = text.Split(':');
        if (parts.Length > 2 || !uint.TryParse(parts[0], out uint uid) || (parts.Length == 2 && !uint.TryParse(parts[1], out _)))
            throw new RuntimeException($"--user: \"{text}\" must be uid or uid:gid (numbers)");
        return new User { Uid = uid, Gid = parts.Length == 2 ? uint.Parse(parts[1]) : 0, AdditionalGids = current?.AdditionalGids, Umask = current?.Umask };
    }
}
