using Runtime.Linux;

namespace Runtime.Namespaces;

/// <summary>The spec's namespace type names, their clone flags and their /proc/PID/ns names.</summary>
public static class NamespaceKinds
{
    public sealed record Kind(string SpecName, uint CloneFlag, string ProcName);

    /// <summary>In the order namespaces are joined for exec (user first: it grants the rights for the rest).</summary>
    public static readonly IReadOnlyList<Kind> All = new Kind[]
    {
        new("user", Libc.CLONE_NEWUSER, "user"),
        new("ipc", Libc.CLONE_NEWIPC, "ipc"),
        new("uts", Libc.CLONE_NEWUTS, "uts"),
        new("network", Libc.CLONE_NEWNET, "net"),
        new("pid", Libc.CLONE_NEWPID, "pid"),
        new("cgroup", Libc.CLONE_NEWCGROUP, "cgroup"),
        new("time", Libc.CLONE_NEWTIME, "time"),
        new("mount", Libc.CLONE_NEWNS, "mnt"),
    };

    public static Kind? BySpecName(string? name) => All.FirstOrDefault(k => k.SpecName == name);
}
