using System.Globalization;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>config.md "Process": user, umask, capabilities, rlimits, env, cwd, noNewPrivileges,
/// oomScoreAdj, scheduler, ioPriority, personality, the session keyring, and fd hygiene.</summary>
[TestFixture]
public class ProcessTests : SpecTest
{
    // ---- user ----

    [Test]
    public void UidGidAndAdditionalGidsApply()
    {
        var output = Inside(Bundle("grep -E '^(Uid|Gid|Groups):' /proc/self/status; id").User(1000, 1001, new uint[] { 10, 20, 30 }));
        Assert.That(StatusField(output, "Uid").Split('\t'), Has.All.EqualTo("1000"));
        Assert.That(StatusField(output, "Gid").Split('\t'), Has.All.EqualTo("1001"));
        Assert.That(StatusField(output, "Groups").Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "10", "20", "30" }));
    }

    [Test]
    public void WithoutAdditionalGidsTheGroupListIsEmpty()
    {
        var output = Inside(Bundle("grep Groups: /proc/self/status").User(1000, 1000));
        Assert.That(StatusField(output, "Groups"), Is.Empty, "no host groups leak into the container");
    }

    [Test]
    public void AUidWithoutAPasswdEntryWorks()
    {
        Assert.That(Inside(Bundle("id -u; id -g").User(4242, 4343)).Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "4242", "4343" }));
    }

    [Test]
    public void TheUmaskApplies()
    {
        Assert.That(Inside(Bundle("umask").User(0, 0, umask: 0x17 /* 027 */)).Trim(), Is.EqualTo("0027"));
    }

    [Test]
    public void TheDefaultUmaskIs0022()
    {
        Assert.That(Inside(Bundle("umask")).Trim(), Is.EqualTo("0022"));
    }

    // ---- capabilities ----

    private static readonly Dictionary<string, int> CapNumbers = new()
    {
        ["CAP_CHOWN"] = 0, ["CAP_DAC_OVERRIDE"] = 1, ["CAP_DAC_READ_SEARCH"] = 2, ["CAP_FOWNER"] = 3, ["CAP_FSETID"] = 4, ["CAP_KILL"] = 5,
        ["CAP_SETGID"] = 6, ["CAP_SETUID"] = 7, ["CAP_SETPCAP"] = 8, ["CAP_LINUX_IMMUTABLE"] = 9, ["CAP_NET_BIND_SERVICE"] = 10,
        ["CAP_NET_BROADCAST"] = 11, ["CAP_NET_ADMIN"] = 12, ["CAP_NET_RAW"] = 13, ["CAP_IPC_LOCK"] = 14, ["CAP_IPC_OWNER"] = 15,
        ["CAP_SYS_MODULE"] = 16, ["CAP_SYS_RAWIO"] = 17, ["CAP_SYS_CHROOT"] = 18, ["CAP_SYS_PTRACE"] = 19, ["CAP_SYS_PACCT"] = 20,
        ["CAP_SYS_ADMIN"] = 21, ["CAP_SYS_BOOT"] = 22, ["CAP_SYS_NICE"] = 23, ["CAP_SYS_RESOURCE"] = 24, ["CAP_SYS_TIME"] = 25,
        ["CAP_SYS_TTY_CONFIG"] = 26, ["CAP_MKNOD"] = 27, ["CAP_LEASE"] = 28, ["CAP_AUDIT_WRITE"] = 29, ["CAP_AUDIT_CONTROL"] = 30,
        ["CAP_SETFCAP"] = 31, ["CAP_MAC_OVERRIDE"] = 32, ["CAP_MAC_ADMIN"] = 33, ["CAP_SYSLOG"] = 34, ["CAP_WAKE_ALARM"] = 35,
        ["CAP_BLOCK_SUSPEND"] = 36, ["CAP_AUDIT_READ"] = 37, ["CAP_PERFMON"] = 38, ["CAP_BPF"] = 39, ["CAP_CHECKPOINT_RESTORE"] = 40,
    };

    private static ulong Mask(params string[] caps) => caps.Aggregate(0UL, (m, c) => m | 1UL << CapNumbers[c]);

    private static ulong Hex(string status, string key) => ulong.Parse(StatusField(status, key), NumberStyles.HexNumber);

    private static readonly string[] Bnd = { "CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_BIND_SERVICE" };
    private static readonly string[] Eff = { "CAP_KILL" };
    private static readonly string[] Prm = { "CAP_KILL", "CAP_NET_BIND_SERVICE" };
    private static readonly string[] Inh = { "CAP_NET_BIND_SERVICE" };
    private static readonly string[] Amb = { "CAP_NET_BIND_SERVICE" };

    [Test]
    public void TheWaitingInitHasExactlyTheListedSets()
    {
        // Before execve the sets are exactly what the runtime set; execve then applies the kernel's rules.
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("true").Capabilities(Bnd, Eff, Prm, Inh, Amb).Write(), id);
        var status = File.ReadAllText($"/proc/{pid}/status");
        Assert.Multiple(() =>
        {
            Assert.That(Hex(status, "CapBnd"), Is.EqualTo(Mask(Bnd)), "bounding");
            Assert.That(Hex(status, "CapEff"), Is.EqualTo(Mask(Eff)), "effective");
            Assert.That(Hex(status, "CapPrm"), Is.EqualTo(Mask(Prm)), "permitted");
            Assert.That(Hex(status, "CapInh"), Is.EqualTo(Mask(Inh)), "inheritable");
            Assert.That(Hex(status, "CapAmb"), Is.EqualTo(Mask(Amb)), "ambient");
        });
    }

    [Test]
    public void AsRootTheProgramGetsBoundingAndInheritable()
    {
        // Without no_new_privs, which would cap permitted at the pre-exec set.
        var output = Inside(Bundle("cat /proc/self/status").Capabilities(Bnd, Eff, Prm, Inh, Amb).NoNewPrivileges(false));
        Assert.Multiple(() =>
        {
            Assert.That(Hex(output, "CapBnd"), Is.EqualTo(Mask(Bnd)));
            Assert.That(Hex(output, "CapInh"), Is.EqualTo(Mask(Inh)));
            Assert.That(Hex(output, "CapAmb"), Is.EqualTo(Mask(Amb)));
            // execve as uid 0: permitted = bounding | inheritable, effective = permitted.
            Assert.That(Hex(output, "CapPrm"), Is.EqualTo(Mask(Bnd) | Mask(Inh)));
            Assert.That(Hex(output, "CapEff"), Is.EqualTo(Mask(Bnd) | Mask(Inh)));
        });
    }

    [Test]
    public void AsAnotherUserOnlyTheAmbientSetSurvivesExec()
    {
        var output = Inside(Bundle("cat /proc/self/status").User(1000, 1000).Capabilities(Bnd, Eff, Prm, Inh, Amb));
        Assert.Multiple(() =>
        {
            Assert.That(Hex(output, "CapBnd"), Is.EqualTo(Mask(Bnd)));
            Assert.That(Hex(output, "CapInh"), Is.EqualTo(Mask(Inh)));
            Assert.That(Hex(output, "CapAmb"), Is.EqualTo(Mask(Amb)));
            Assert.That(Hex(output, "CapPrm"), Is.EqualTo(Mask(Amb)));
            Assert.That(Hex(output, "CapEff"), Is.EqualTo(Mask(Amb)));
        });
    }

    [Test]
    public void TheDefaultSpecGetsRuncsSets()
    {
        // runc's default lists ambient caps without inheritable ones: they cannot be raised (runc: CapAmb 0).
        var output = Inside(Bundle("cat /proc/self/status"));
        var def = Mask(BundleBuilder.DefaultCaps);
        Assert.Multiple(() =>
        {
            Assert.That(Hex(output, "CapBnd"), Is.EqualTo(def));
            Assert.That(Hex(output, "CapPrm"), Is.EqualTo(def));
            Assert.That(Hex(output, "CapEff"), Is.EqualTo(def));
            Assert.That(Hex(output, "CapInh"), Is.Zero, "CVE-2022-29162: no inheritable caps unless asked");
            Assert.That(Hex(output, "CapAmb"), Is.Zero);
        });
    }

    [Test]
    public void NoCapabilitiesMeansNone()
    {
        var output = Inside(Bundle("cat /proc/self/status; chown 1 /dev/shm 2>&1; true").Capabilities(null, null, null, null, null));
        Assert.Multiple(() =>
        {
            foreach (var key in new[] { "CapBnd", "CapPrm", "CapEff", "CapInh", "CapAmb" })
                Assert.That(Hex(output, key), Is.Zero, key);
        });
        Assert.That(output, Does.Contain("Operation not permitted"), "root without CAP_CHOWN cannot chown");
    }

    [Test]
    public void EveryCapabilityCanBeGranted()
    {
        var own = Hex(File.ReadAllText("/proc/self/status"), "CapBnd");
        var all = CapNumbers.Where(c => (own & 1UL << c.Value) != 0).Select(c => c.Key).ToArray();
        var output = Inside(Bundle("cat /proc/self/status").AllCapabilities(all));
        Assert.That(Hex(output, "CapBnd"), Is.EqualTo(own));
        Assert.That(Hex(output, "CapEff"), Is.EqualTo(own));
        Assert.That(Hex(output, "CapAmb"), Is.EqualTo(own));
    }

    [TestCase("bounding")]
    [TestCase("effective")]
    [TestCase("permitted")]
    [TestCase("inheritable")]
    [TestCase("ambient")]
    public void AnUnknownCapabilityIsAnError(string set)
    {
        var caps = new[] { "CAP_KILL", "CAP_NO_SUCH_THING" };
        var b = Bundle().Capabilities(
            set == "bounding" ? caps : null, set == "effective" ? caps : null, set == "permitted" ? caps : null,
            set == "inheritable" ? caps : null, set == "ambient" ? caps : null);
        var id = H.NewId();
        AssertFails(H.Create(b.Write(), id), $"process.capabilities.{set}[1]", "CAP_NO_SUCH_THING");
        H.AssertNoLeftovers(id);
    }

    // ---- noNewPrivileges ----

    [TestCase(true, "1")]
    [TestCase(false, "0")]
    public void NoNewPrivilegesApplies(bool on, string expected)
    {
        var output = Inside(Bundle("grep NoNewPrivs /proc/self/status").NoNewPrivileges(on));
        Assert.That(StatusField(output, "NoNewPrivs"), Is.EqualTo(expected));
    }

    // ---- rlimits ----

    private static string LimitLine(string limits, string name) =>
        limits.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
            ? string.Join(' ', line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            : throw new AssertionException($"no {name} in:\n{limits}");

    [Test]
    public void RlimitsApply()
    {
        var output = Inside(Bundle("cat /proc/self/limits").Rlimits(("RLIMIT_NOFILE", 100, 200), ("RLIMIT_CORE", 0, 0), ("RLIMIT_NPROC", 500, 600)));
        Assert.That(LimitLine(output, "Max open files"), Is.EqualTo("100 200 files"));
        Assert.That(LimitLine(output, "Max core file size"), Is.EqualTo("0 0 bytes"));
        Assert.That(LimitLine(output, "Max processes"), Is.EqualTo("500 600 processes"));
    }

    [Test]
    public void UlimitSeesTheConfiguredLimits()
    {
        var output = Inside(Bundle("ulimit -n; ulimit -Hn").Rlimits(("RLIMIT_NOFILE", 321, 654)));
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "321", "654" }));
    }

    [Test]
    public void RaisingAHardLimitWithoutPrivilegeIsAnError()
    {
        // This host has no CAP_SYS_RESOURCE: a hard limit above nr_open cannot be set (runc fails too).
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Rlimits(("RLIMIT_NOFILE", 1024, 1UL << 40)).Write(), id), "process.rlimits[0]", "RLIMIT_NOFILE", "EPERM");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AnUnknownRlimitIsAnError()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Rlimits(("RLIMIT_NOFILE", 10, 10), ("RLIMIT_BOGUS", 1, 1)).Write(), id), "process.rlimits[1]", "RLIMIT_BOGUS");
        H.AssertNoLeftovers(id);
    }

    // ---- env, cwd ----

    [Test]
    public void TheEnvironmentIsExactlyTheConfigs()
    {
        var env = new[] { "PATH=/bin:/usr/bin", "HOME=/home/someone", "ODD=with spaces and = signs", "EMPTY=", H.Marker };
        var output = Inside(Bundle().Args("cat", "/proc/self/environ").Env(env, exact: true));
        Assert.That(output.Split('\0', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(env));
    }

    [Test]
    public void HomeComesFromPasswdWhenTheConfigHasNone()
    {
        var output = Inside(Bundle().Args("cat", "/proc/self/environ"));
        Assert.That(output.Split('\0'), Does.Contain("HOME=/root"));
    }

    [Test]
    public void TheCwdApplies()
    {
        Assert.That(Inside(Bundle("pwd").Cwd("/etc")).Trim(), Is.EqualTo("/etc"));
    }

    [Test]
    public void AMissingCwdIsCreated()
    {
        Assert.That(Inside(Bundle("pwd").Cwd("/dev/shm/a/b")).Trim(), Is.EqualTo("/dev/shm/a/b"));
    }

    [Test]
    public void ACwdThroughASymlinkStaysInsideTheContainer()
    {
        var b = Bundle("pwd; ls").PrivateRootfs().ReadonlyRoot(true).Cwd("/wd");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "wd"), "/etc");
        var output = Inside(b);
        Assert.That(output, Does.StartWith("/etc\n"));
        Assert.That(output, Does.Contain("busybox-version"), "the container's /etc, not the host's");
    }

    [Test]
    public void TheCwdIsUsedForARelativeProgramPath()
    {
        Assert.That(Inside(Bundle().Args("./busybox", "echo", "relative-ok").Cwd("/bin")), Does.Contain("relative-ok"));
    }

    // ---- oomScoreAdj, scheduler, ioPriority, personality ----

    [TestCase(500)]
    [TestCase(1000)]
    public void OomScoreAdjApplies(int adj)
    {
        Assert.That(Inside(Bundle("cat /proc/self/oom_score_adj").OomScoreAdj(adj)).Trim(), Is.EqualTo(adj.ToString()));
    }

    [Test]
    public void AnOomScoreAdjTheHostForbidsIsAnError()
    {
        if (File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("CapEff:") && (ulong.Parse(l[7..].Trim(), NumberStyles.HexNumber) & 1UL << 24) != 0))
            Assert.Ignore("this host has CAP_SYS_RESOURCE: lowering oom_score_adj is allowed");
        var id = H.NewId();
        AssertFails(H.Create(Bundle().OomScoreAdj(-500).Write(), id), "process.oomScoreAdj", "EACCES");
        H.AssertNoLeftovers(id);
    }

    /// <summary>Fields of /proc/self/stat after the command name (index 0 is field 3).</summary>
    private static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Trim().Split(' ');

    [Test]
    public void TheSchedulerApplies()
    {
        var output = Inside(Bundle("cat /proc/self/stat").ProcessField("scheduler", """{"policy": "SCHED_BATCH", "nice": 7}"""));
        var f = StatFields(output);
        Assert.That(f[41 - 3], Is.EqualTo("3"), "policy SCHED_BATCH");
        Assert.That(f[19 - 3], Is.EqualTo("7"), "nice");
    }

    [Test]
    public void TheIoPriorityApplies()
    {
        var output = Inside(Bundle("ionice -p $$").ProcessField("ioPriority", """{"class": "IOPRIO_CLASS_BE", "priority": 6}"""));
        Assert.That(output.Trim(), Is.EqualTo("best-effort: prio 6"));
    }

    [Test]
    public void ThePersonalityApplies()
    {
        var output = Inside(Bundle("uname -m").LinuxField("personality", """{"domain": "LINUX32"}"""));
        Assert.That(output.Trim(), Is.EqualTo("i686"));
    }

    // ---- keyring ----

    [Test]
    public void EachContainerGetsANewSessionKeyring()
    {
        var b = Bundle("cat /proc/keys").MaskedPaths();
        var id = H.NewId();
        var r = H.Run(b.Write(), id);
        AssertOk(r);
        Assert.That(r.Stdout, Does.Contain("_ses." + id), "runc names the session keyring _ses.<id>");
    }

    [Test]
    public void NoNewKeyringKeepsTheCallersKeyring()
    {
        var id = H.NewId();
        var r = H.Run(Bundle("cat /proc/keys").MaskedPaths().Write(), id, "--no-new-keyring", "--keep");
        AssertOk(r);
        Assert.That(H.Status(id), Is.EqualTo("stopped"), "the flag is an option, not the container's ID");
        Assert.That(r.Stdout, Does.Not.Contain("_ses." + id));
    }

    // ---- file descriptors ----

    private Dictionary<int, string> ExtraFds()
    {
        var f = Path.Combine(H.Dir, "leaked-file");
        File.WriteAllText(f, "x");
        return new Dictionary<int, string> { [3] = f, [4] = f, [7] = f };
    }

    [Test]
    public void OnlyStdioReachesTheContainer()
    {
        // fds the caller passed and the runtime's own (CVE-2024-21626) are all closed.
        var id = H.NewId();
        var r = H.Run(new RuntimeCall { ExtraFds = ExtraFds() }, Bundle("ls /proc/1/fd; true").Write(), id);
        AssertOk(r);
        Assert.That(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "1", "2" }));
    }

    [Test]
    public void ListenFdsArePassedThrough()
    {
        var id = H.NewId();
        var call = new RuntimeCall
        {
            ExtraFds = ExtraFds(),
            Env = new Dictionary<string, string> { ["LISTEN_FDS"] = "2" },
            ShellPrefix = "export LISTEN_PID=$$; ",
        };
        var r = H.Run(call, Bundle("ls /proc/1/fd; cat /proc/1/fd/3").Write(), id);
        AssertOk(r);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Take(5), Is.EqualTo(new[] { "0", "1", "2", "3", "4" }));
        Assert.That(lines.Last(), Is.EqualTo("x"), "fd 3 is the caller's file");
    }

    [Test]
    public void ListenFdsAreAnnouncedInTheEnvironment()
    {
        var call = new RuntimeCall
        {
            ExtraFds = ExtraFds(),
            Env = new Dictionary<string, string> { ["LISTEN_FDS"] = "2" },
            ShellPrefix = "export LISTEN_PID=$$; ",
        };
        var r = H.Run(call, Bundle().Args("cat", "/proc/self/environ").Write(), H.NewId());
        AssertOk(r);
        Assert.That(r.Stdout.Split('\0'), Does.Contain("LISTEN_FDS=2").And.Contain("LISTEN_PID=1"));
    }

    [Test]
    public void PreserveFdsPassesThatManyFds()
    {
        var id = H.NewId();
        var r = H.Run(new RuntimeCall { ExtraFds = ExtraFds() }, Bundle("ls /proc/1/fd; true").Write(), id, "--preserve-fds", "2", "--keep");
        AssertOk(r);
        Assert.That(H.Status(id), Is.EqualTo("stopped"), "the flag is an option, not the container's ID");
        Assert.That(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "1", "2", "3", "4" }));
    }
}
