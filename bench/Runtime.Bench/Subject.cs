namespace Runtime.Bench;

/// <summary>A runtime under test: its binary and its own private --root. The command lines are
/// runc's grammar, which all three accept.</summary>
public sealed class Subject(string name, string exe, string root)
{
    public string Name { get; } = name;
    public string Exe { get; } = exe;
    public string Root { get; } = root;

    public string[] Create(string bundle, string id, string pidFile) => ["--root", Root, "create", "--bundle", bundle, "--pid-file", pidFile, id];
    public string[] Start(string id) => ["--root", Root, "start", id];
    public string[] Delete(string id, bool force = false) => force ? ["--root", Root, "delete", "--force", id] : ["--root", Root, "delete", id];
    public string[] Run(string bundle, string id) => ["--root", Root, "run", "--bundle", bundle, id];
    public string[] Exec(string id, params string[] cmd) => ["--root", Root, "exec", id, .. cmd];
    public string[] State(string id) => ["--root", Root, "state", id];
    public string[] List() => ["--root", Root, "list"];

    /// <summary>Container ids with state under our root (each runtime keeps one directory per id).</summary>
    public IEnumerable<string> StoredIds() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>() : [];

    public override string ToString() => Name;
}
