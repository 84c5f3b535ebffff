using System.Text.Json;
using Runtime.Linux;

namespace Runtime.Spec;

/// <summary>
/// The config `spec` writes: runc's example spec (libcontainer/specconv/example.go), field for field,
/// with our spec version, and `--rootless` as runc's ToRootless. Like runc 1.2 and later it lists no
/// ambient capabilities (they cannot be raised without inheritable ones, which CVE-2022-29162 keeps
/// out) and adds a cgroup namespace on a pure cgroup v2 host.
/// </summary>
public static class DefaultSpec
{
    private static readonly string[] DefaultCaps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    public static Spec Create(bool rootless, uint hostUid = 0, uint hostGid = 0, bool cgroup2Unified = false)
    {
        var spec = new Spec
        {
            OciVersion = SpecVersion.Current,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities { Bounding = [.. DefaultCaps], Effective = [.. DefaultCaps], Permitted = [.. DefaultCaps] },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "runc",
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new Linux
            {
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces = [Ns("pid"), Ns("network"), Ns("ipc"), Ns("uts"), Ns("mount")],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };
        if (cgroup2Unified)
            spec.Linux.Namespaces.Add(Ns("cgroup"));
        if (rootless)
            ToRootless(spec, hostUid, hostGid);
        return spec;
    }

    private static LinuxNamespace Ns(string type) => new() { Type = type };

    /// <summary>runc's ToRootless: no network namespace, a user namespace mapping root to the caller,
    /// /sys bind-mounted (sysfs cannot be mounted without a network namespace of our own), no uid=/gid=
    /// mount options, no cgroup resources.</summary>
    private static void ToRootless(Spec spec, uint uid, uint gid)
    {
        var linux = spec.Linux!;
        linux.Namespaces = [.. linux.Namespaces!.Where(n => n.Type is not ("network" or "user")), Ns("user")];
        linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = uid, Size = 1 }];
        linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = gid, Size = 1 }];
        for (int i = 0; i < spec.Mounts!.Count; i++)
        {
            var m = spec.Mounts[i];
            if (m.Destination == "/sys")
                spec.Mounts[i] = new Mount { Destination = "/sys", Type = "none", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] };
            else
                m.Options = m.Options?.Where(o => !o.StartsWith("gid=", StringComparison.Ordinal) && !o.StartsWith("uid=", StringComparison.Ordinal)).ToList();
        }
        linux.Resources = null;
    }

    /// <summary>The bytes `spec` writes: tab-indented like runc's json.MarshalIndent, no trailing newline.</summary>
    public static byte[] ToJson(Spec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, SpecIndentedJsonContext.Default.Spec);

    /// <summary>`spec [--rootless] [--bundle DIR]`: writes DIR/config.json for this host and caller, refusing to
    /// replace an existing one (runc's words).</summary>
    public static string WriteDefault(string bundleDir, bool rootless)
    {
        var dir = string.IsNullOrEmpty(bundleDir) ? "." : bundleDir;
        if (!Directory.Exists(dir))
            throw new RuntimeException(File.Exists(dir) ? $"bundle {Path.GetFullPath(dir)} is not a directory" : $"bundle {Path.GetFullPath(dir)} does not exist");
        var (uid, gid) = EffectiveIds();
        var bytes = ToJson(Create(rootless, uid, gid, HostFacts.Current.CgroupV2Unified));
        var path = Path.Combine(dir, ConfigLoader.ConfigFileName);
        // O_EXCL: refuse an existing file (or a symlink planted there) without a check-then-write race.
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0x1b6 /* 0666, umask applies */);
        if (fd == -1)
        {
            int errno = Libc.LastErrno;
            throw new RuntimeException(errno == Errnos.EEXIST
                ? $"File {ConfigLoader.ConfigFileName} exists. Remove it first"
                : $"create {Path.GetFullPath(path)}: {Errnos.Describe(errno)}");
        }
        try
        {
            WriteAll(fd, bytes, path);
        }
        finally
        {
            Libc.Close(fd);
        }
        return Path.GetFullPath(path);
    }

    private static unsafe void WriteAll(int fd, byte[] bytes, string path)
    {
        fixed (byte* p = bytes)
            for (int done = 0; done < bytes.Length;)
            {
                nint n = Libc.Write(fd, p + done, bytes.Length - done);
                if (n < 0 && Libc.LastErrno == Errnos.EINTR)
                    continue;
                Libc.Check(n, $"write {path}");
                done += (int)n;
            }
    }

    /// <summary>The caller's effective uid and gid (runc maps root to os.Geteuid()/os.Getegid()).</summary>
    internal static (uint Uid, uint Gid) EffectiveIds()
    {
        uint uid = 0, gid = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            // "Uid:\treal\teffective\tsaved\tfs"
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                uid = uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);
            else if (line.StartsWith("Gid:", StringComparison.Ordinal))
                gid = uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);
        }
        return (uid, gid);
    }
}
