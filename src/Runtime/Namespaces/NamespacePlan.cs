using Runtime.Linux;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Namespaces;

/// <summary>Turns linux.namespaces into what the constructor stage does: namespaces to create and
/// namespaces to join by path (each path checked to be a namespace of the declared type).</summary>
internal static class NamespacePlan
{
    public static BootstrapMessage ForCreate(Spec.Spec spec)
    {
        var bs = new BootstrapMessage();
        var namespaces = spec.Linux?.Namespaces ?? new List<LinuxNamespace>();
        for (int i = 0; i < namespaces.Count; i++)
        {
            var ns = namespaces[i];
            var field = $"linux.namespaces[{i}]";
            var kind = NamespaceKinds.BySpecName(ns.Type)
                       ?? throw new RuntimeException($"{field}.type: unknown namespace type \"{ns.Type}\"");
            if (string.IsNullOrEmpty(ns.Path))
                bs.CloneFlags |= kind.CloneFlag;
            else
            {
                CheckNamespacePath(ns.Path, kind, $"{field}.path");
                bs.Join.Add((kind.CloneFlag, ns.Path));
            }
        }
        if ((bs.CloneFlags & Libc.CLONE_NEWTIME) != 0 && spec.Linux?.TimeOffsets is { Count: > 0 } offsets)
            bs.TimensOffsets = string.Join("\n", offsets.Select(o => $"{o.Key} {o.Value.Secs} {o.Value.Nanosecs}"));
        return bs;
    }

    /// <summary>For exec: join every namespace of the container's init that differs from ours.</summary>
    public static BootstrapMessage ForExec(int initPid)
    {
        var bs = new BootstrapMessage();
        foreach (var kind in NamespaceKinds.All)
        {
            var theirs = $"/proc/{initPid}/ns/{kind.ProcName}";
            var ours = $"/proc/self/ns/{kind.ProcName}";
            if (!File.Exists(theirs))
                continue; // the kernel lacks this namespace type
            if (Inode(theirs) != Inode(ours))
                bs.Join.Add((kind.CloneFlag, theirs));
        }
        return bs;
    }

    /// <summary>Whether the spec asks for a new namespace of this kind (no path).</summary>
    public static bool Creates(Spec.Spec spec, string specName) =>
        spec.Linux?.Namespaces?.Any(n => n.Type == specName && string.IsNullOrEmpty(n.Path)) == true;

    public static bool Has(Spec.Spec spec, string specName) =>
        spec.Linux?.Namespaces?.Any(n => n.Type == specName) == true;

    private static void CheckNamespacePath(string path, NamespaceKinds.Kind kind, string field)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd == -1)
            throw new RuntimeException($"{field}: open {path}: {Errnos.Describe(Libc.LastErrno)}");
        try
        {
            int type = Libc.Ioctl(fd, Libc.NS_GET_NSTYPE, 0);
            if (type == -1)
                throw new RuntimeException($"{field}: {path} is not a namespace");
            if ((uint)type != kind.CloneFlag)
            {
                var actual = NamespaceKinds.All.FirstOrDefault(k => k.CloneFlag == (uint)type)?.SpecName ?? "unknown";
                throw new RuntimeException($"{field}: {path} is a {actual} namespace, not a {kind.SpecName} namespace");
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>"net:[4026531992]": equal links mean the same namespace.</summary>
    private static string? Inode(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
