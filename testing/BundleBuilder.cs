using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runtime.Testing;

/// <summary>
/// Writes a bundle (config.json) for one test. Starts from runc's default spec (what `runc spec`
/// prints), with root.path pointing at the shared busybox rootfs (read-only root), and offers fluent
/// tweaks. Tests that write into the rootfs (new mount targets, files) ask for a private copy.
/// </summary>
public sealed class BundleBuilder
{
    /// <summary>The shared busybox rootfs made by `make bundles`.</summary>
    public static string SharedRootfs { get; } = System.IO.Path.Combine(RuntimeBinary.RepoRoot, "bundles", "busybox", "rootfs");

    public static readonly string[] DefaultCaps = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };
    public static readonly string[] DefaultEnv = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" };

    /// <summary>The bundle directory (config.json is written here).</summary>
    public string Path { get; }
    /// <summary>The host path of the container's rootfs.</summary>
    public string Rootfs { get; private set; }
    public JsonObject Config { get; }

    /// <param name="marker">an env entry ("SPECTEST=…") every container process carries, so the
    /// harness can find leftover processes of its test.</param>
    public BundleBuilder(string path, string marker)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Rootfs = SharedRootfs;
        Config = DefaultSpec(Rootfs);
        Config["process"]!["env"] = new JsonArray(DefaultEnv.Append(marker).Select(e => (JsonNode)e!).ToArray());
    }

    /// <summary>runc 1.1's `runc spec` (terminal off, so it runs without a console socket).</summary>
    public static JsonObject DefaultSpec(string rootfs)
    {
        JsonArray Caps() => Strings(DefaultCaps);
        return new JsonObject
        {
            ["ociVersion"] = "1.0.2-dev",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
                ["args"] = Strings("sh"),
                ["env"] = Strings(DefaultEnv),
                ["cwd"] = "/",
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = Caps(), ["effective"] = Caps(), ["permitted"] = Caps(), ["ambient"] = Caps(),
                },
                ["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = 1024, ["soft"] = 1024 }),
                ["noNewPrivileges"] = true,
            },
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = true },
            ["hostname"] = "runc",
            ["mounts"] = new JsonArray(
                MountNode("/proc", "proc", "proc", null),
                MountNode("/dev", "tmpfs", "tmpfs", new[] { "nosuid", "strictatime", "mode=755", "size=65536k" }),
                MountNode("/dev/pts", "devpts", "devpts", new[] { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" }),
                MountNode("/dev/shm", "tmpfs", "shm", new[] { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" }),
                MountNode("/dev/mqueue", "mqueue", "mqueue", new[] { "nosuid", "noexec", "nodev" }),
                MountNode("/sys", "sysfs", "sysfs", new[] { "nosuid", "noexec", "nodev", "ro" }),
                MountNode("/sys/fs/cgroup", "cgroup", "cgroup", new[] { "nosuid", "noexec", "nodev", "relatime", "ro" })),
            ["linux"] = new JsonObject
            {
                ["resources"] = new JsonObject { ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }) },
                ["namespaces"] = new JsonArray(
                    new JsonObject { ["type"] = "pid" }, new JsonObject { ["type"] = "network" }, new JsonObject { ["type"] = "ipc" },
                    new JsonObject { ["type"] = "uts" }, new JsonObject { ["type"] = "mount" }),
                ["maskedPaths"] = Strings("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                ["readonlyPaths"] = Strings("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
            },
        };
    }

    public static JsonArray Strings(params IEnumerable<string> items) => new(items.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());

    public static JsonObject MountNode(string destination, string? type, string? source, IEnumerable<string>? options)
    {
        var m = new JsonObject { ["destination"] = destination };
        if (type != null) m["type"] = type;
        if (source != null) m["source"] = source;
        if (options != null) m["options"] = Strings(options);
        return m;
    }

    private JsonObject Process => (JsonObject)Config["process"]!;
    private JsonObject Linux => (JsonObject)Config["linux"]!;

    // ---- process ----

    public BundleBuilder Args(params string[] args) { Process["args"] = Strings(args); return this; }

    /// <summary>Runs <paramref name="script"/> with busybox sh -c.</summary>
    public BundleBuilder Shell(string script) => Args("sh", "-c", script);

    /// <summary>Replaces the environment (the harness marker is kept unless <paramref name="exact"/>).</summary>
    public BundleBuilder Env(IEnumerable<string> env, bool exact = false)
    {
        var marker = ((JsonArray)Process["env"]!).Select(n => n!.GetValue<string>()).Where(e => e.StartsWith("SPECTEST=", StringComparison.Ordinal));
        Process["env"] = Strings(exact ? env : env.Concat(marker));
        return this;
    }

    public BundleBuilder AddEnv(string entry) { ((JsonArray)Process["env"]!).Add(entry); return this; }

    public BundleBuilder Cwd(string cwd) { Process["cwd"] = cwd; return this; }

    public BundleBuilder User(uint uid, uint gid, uint[]? additionalGids = null, uint? umask = null)
    {
        var u = new JsonObject { ["uid"] = uid, ["gid"] = gid };
        if (additionalGids != null) u["additionalGids"] = new JsonArray(additionalGids.Select(g => (JsonNode)g).ToArray());
        if (umask != null) u["umask"] = umask.Value;
        Process["user"] = u;
        return this;
    }

    /// <summary>Sets each capability set given (null leaves a set out of the config entirely).</summary>
    public BundleBuilder Capabilities(string[]? bounding, string[]? effective, string[]? permitted, string[]? inheritable, string[]? ambient)
    {
        var c = new JsonObject();
        foreach (var (name, set) in new[] { ("bounding", bounding), ("effective", effective), ("permitted", permitted), ("inheritable", inheritable), ("ambient", ambient) })
            if (set != null) c[name] = Strings(set);
        Process["capabilities"] = c;
        return this;
    }

    public BundleBuilder AllCapabilities(string[] caps) => Capabilities(caps, caps, caps, caps, caps);

    public BundleBuilder Rlimits(params (string Type, ulong Soft, ulong Hard)[] limits)
    {
        Process["rlimits"] = new JsonArray(limits.Select(l => (JsonNode)new JsonObject { ["type"] = l.Type, ["soft"] = l.Soft, ["hard"] = l.Hard }).ToArray());
        return this;
    }

    public BundleBuilder NoNewPrivileges(bool on) { Process["noNewPrivileges"] = on; return this; }

    public BundleBuilder OomScoreAdj(int adj) { Process["oomScoreAdj"] = adj; return this; }

    /// <summary>Sets process.NAME (scheduler, ioPriority, …) to raw JSON.</summary>
    public BundleBuilder ProcessField(string name, string json) { Process[name] = JsonNode.Parse(json); return this; }

    // ---- root, hostname ----

    public BundleBuilder ReadonlyRoot(bool ro) { ((JsonObject)Config["root"]!)["readonly"] = ro; return this; }

    public BundleBuilder Hostname(string? name)
    {
        if (name == null) Config.Remove("hostname"); else Config["hostname"] = name;
        return this;
    }

    public BundleBuilder Domainname(string name) { Config["domainname"] = name; return this; }

    public BundleBuilder Annotation(string key, string value)
    {
        var a = Config["annotations"] as JsonObject ?? new JsonObject();
        a[key] = value;
        Config["annotations"] = a;
        return this;
    }

    /// <summary>Makes a private copy of the busybox rootfs (cp -a) for tests that write into it;
    /// the root stays writable afterwards unless the test says otherwise.</summary>
    public BundleBuilder PrivateRootfs()
    {
        var copy = System.IO.Path.Combine(Path, "rootfs");
        if (Rootfs == copy) return this;
        var r = RuntimeBinary.Exec("/bin/cp", new[] { "-a", SharedRootfs, copy });
        if (r.ExitCode != 0) throw new InvalidOperationException($"cp -a {SharedRootfs} {copy}: {r}");
        Rootfs = copy;
        ((JsonObject)Config["root"]!)["path"] = copy;
        return ReadonlyRoot(false);
    }

    /// <summary>Points root.path at any directory (relative paths are relative to the bundle).</summary>
    public BundleBuilder RootPath(string path) { ((JsonObject)Config["root"]!)["path"] = path; return this; }

    // ---- mounts ----

    public JsonArray Mounts => (JsonArray)(Config["mounts"] ??= new JsonArray());

    public BundleBuilder AddMount(string destination, string? type, string? source, params string[] options)
    {
        Mounts.Add(MountNode(destination, type, source, options.Length == 0 && type != "bind" ? null : options));
        return this;
    }

    public BundleBuilder RemoveMount(string destination)
    {
        foreach (var m in Mounts.Where(m => (string?)m!["destination"] == destination).ToList())
            Mounts.Remove(m);
        return this;
    }

    // ---- linux ----

    public BundleBuilder Namespaces(params string[] types)
    {
        Linux["namespaces"] = new JsonArray(types.Select(t => (JsonNode)new JsonObject { ["type"] = t }).ToArray());
        return this;
    }

    public JsonArray NamespaceList => (JsonArray)(Linux["namespaces"] ??= new JsonArray());

    /// <summary>Adds (or, with a path, replaces) the namespace of this type.</summary>
    public BundleBuilder Namespace(string type, string? path = null, bool replace = true)
    {
        if (replace)
            foreach (var n in NamespaceList.Where(n => (string?)n!["type"] == type).ToList())
                NamespaceList.Remove(n);
        var ns = new JsonObject { ["type"] = type };
        if (path != null) ns["path"] = path;
        NamespaceList.Add(ns);
        return this;
    }

    public BundleBuilder WithoutNamespace(string type)
    {
        foreach (var n in NamespaceList.Where(n => (string?)n!["type"] == type).ToList())
            NamespaceList.Remove(n);
        return this;
    }

    public static JsonArray Mapping(uint containerId, uint hostId, uint size) =>
        new(new JsonObject { ["containerID"] = containerId, ["hostID"] = hostId, ["size"] = size });

    /// <summary>A new user namespace with container ids 0..size-1 mapped to host ids from <paramref name="hostBase"/>.</summary>
    public BundleBuilder UserNamespace(uint hostBase = 100000, uint size = 65536)
    {
        Namespace("user");
        Linux["uidMappings"] = Mapping(0, hostBase, size);
        Linux["gidMappings"] = Mapping(0, hostBase, size);
        return this;
    }

    public BundleBuilder LinuxField(string name, string json) { Linux[name] = JsonNode.Parse(json); return this; }

    public BundleBuilder RemoveLinuxField(string name) { Linux.Remove(name); return this; }

    public BundleBuilder Sysctl(string key, string value)
    {
        var s = Linux["sysctl"] as JsonObject ?? new JsonObject();
        s[key] = value;
        Linux["sysctl"] = s;
        return this;
    }

    public BundleBuilder MaskedPaths(params string[] paths) { Linux["maskedPaths"] = Strings(paths); return this; }

    public BundleBuilder ReadonlyPaths(params string[] paths) { Linux["readonlyPaths"] = Strings(paths); return this; }

    public BundleBuilder RootfsPropagation(string value) { Linux["rootfsPropagation"] = value; return this; }

    public BundleBuilder Device(string path, string type, long major, long minor, uint? fileMode = null, uint? uid = null, uint? gid = null)
    {
        var d = new JsonObject { ["path"] = path, ["type"] = type, ["major"] = major, ["minor"] = minor };
        if (fileMode != null) d["fileMode"] = fileMode.Value;
        if (uid != null) d["uid"] = uid.Value;
        if (gid != null) d["gid"] = gid.Value;
        var list = Linux["devices"] as JsonArray ?? new JsonArray();
        list.Add(d);
        Linux["devices"] = list;
        return this;
    }

    // ---- hooks ----

    /// <summary>Adds a hook of <paramref name="kind"/> (prestart, createRuntime, createContainer,
    /// startContainer, poststart, poststop).</summary>
    public BundleBuilder Hook(string kind, string path, string[]? args = null, string[]? env = null, int? timeout = null)
    {
        var hooks = Config["hooks"] as JsonObject ?? new JsonObject();
        Config["hooks"] = hooks;
        var list = hooks[kind] as JsonArray ?? new JsonArray();
        hooks[kind] = list;
        var h = new JsonObject { ["path"] = path };
        if (args != null) h["args"] = Strings(args);
        if (env != null) h["env"] = Strings(env);
        if (timeout != null) h["timeout"] = timeout.Value;
        list.Add(h);
        return this;
    }

    /// <summary>A host shell hook (/bin/sh -c SCRIPT).</summary>
    public BundleBuilder ShellHook(string kind, string script, int? timeout = null, string[]? env = null) =>
        Hook(kind, "/bin/sh", new[] { "sh", "-c", script }, env, timeout);

    /// <summary>Arbitrary edits for anything the fluent methods do not cover.</summary>
    public BundleBuilder Edit(Action<JsonObject> edit) { edit(Config); return this; }

    /// <summary>Writes config.json and returns the bundle path.</summary>
    public string Write()
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), Config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Path;
    }

    /// <summary>Writes config.json verbatim (for malformed-config tests).</summary>
    public string WriteRaw(string text)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), text);
        return Path;
    }

    [DebuggerStepThrough]
    public override string ToString() => Config.ToJsonString();
}
