using NUnit.Framework;
using Runtime.Spec;
using Runtime.Spec.Validation;
using OciSpec = Runtime.Spec.Spec;
using OciHooks = Runtime.Spec.Hooks;

namespace Runtime.Tests.SpecTests;

/// <summary>A host to describe in tests: every fact settable.</summary>
internal sealed class FakeHost : HostFacts
{
    public bool AppArmor { get; init; }
    public bool SELinux { get; init; }
    public bool Resctrl { get; init; }
    public HashSet<string> MissingNamespaceKinds { get; init; } = [];
    public string? HostNetPath { get; init; }

    public override bool AppArmorEnabled => AppArmor;
    public override bool SELinuxEnabled => SELinux;
    public override bool ResctrlMounted => Resctrl;
    public override bool HasNamespaceKind(string procName) => !MissingNamespaceKinds.Contains(procName);

    public override bool IsCurrentNamespace(string path, string procName, out string? error)
    {
        error = path == "/missing" ? "stat /missing: ENOENT (No such file or directory)" : null;
        return path == HostNetPath;
    }
}

/// <summary>Every semantic rule: a valid config changed in one place gives exactly one problem, worded exactly.</summary>
public class ValidationTests
{
    private static readonly ValidationOptions Plain = new() { Host = new FakeHost() };

    private static OciSpec Valid() => DefaultSpec.Create(rootless: false);

    private static List<string> Problems(Action<OciSpec> change, ValidationOptions? options = null)
    {
        var spec = Valid();
        change(spec);
        return SpecValidator.Check(spec, options ?? Plain).Problems;
    }

    private static void Expect(Action<OciSpec> change, string problem, ValidationOptions? options = null) =>
        Assert.That(Problems(change, options), Is.EqualTo(new[] { problem }));

    [Test]
    public void TheDefaultSpecsAreValid()
    {
        Assert.That(SpecValidator.Check(DefaultSpec.Create(false), Plain).Problems, Is.Empty);
        Assert.That(SpecValidator.Check(DefaultSpec.Create(true, 1000, 1000), Plain).Problems, Is.Empty);
        Assert.That(SpecValidator.Check(DefaultSpec.Create(false, cgroup2Unified: true), Plain).Problems, Is.Empty);
    }

    [Test]
    public void ThrowIfInvalidReportsTheFirstProblemWithTheSource()
    {
        var spec = Valid();
        spec.OciVersion = "2.0.0";
        spec.Process!.Cwd = "x";
        var r = SpecValidator.Check(spec, Plain);
        Assert.That(r.Problems, Has.Count.EqualTo(2));
        var e = Assert.Throws<RuntimeException>(() => r.ThrowIfInvalid("config.json"))!;
        Assert.That(e.Message, Does.StartWith("config.json: ociVersion: \"2.0.0\" is not supported"));
    }

    // ---- ociVersion

    [TestCase("1.0.0")]
    [TestCase("1.0.2-dev")]
    [TestCase("1.1.0-rc.1")]
    [TestCase("1.2.0")]
    [TestCase("1.2.1+build.5")]
    [TestCase("1.3.0")]
    public void SupportedVersions(string v) => Assert.That(Problems(s => s.OciVersion = v), Is.Empty);

    [TestCase(null, "ociVersion: required (the runtime-spec version the bundle follows, e.g. \"1.2.0\")")]
    [TestCase("", "ociVersion: required (the runtime-spec version the bundle follows, e.g. \"1.2.0\")")]
    [TestCase("1.0", "ociVersion: \"1.0\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")")]
    [TestCase("v1.2.0", "ociVersion: \"v1.2.0\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")")]
    [TestCase("01.2.0", "ociVersion: \"01.2.0\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")")]
    [TestCase("garbage", "ociVersion: \"garbage\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. \"1.2.0\")")]
    [TestCase("2.0.0", "ociVersion: \"2.0.0\" is not supported: this runtime implements runtime-spec 1.2.0 and runs configs from 1.0.0 up to 1.x")]
    [TestCase("0.6.0", "ociVersion: \"0.6.0\" is not supported: this runtime implements runtime-spec 1.2.0 and runs configs from 1.0.0 up to 1.x")]
    [TestCase("1.0.0-rc5", "ociVersion: \"1.0.0-rc5\" is older than the oldest supported version 1.0.0")]
    public void UnsupportedVersions(string? v, string problem) => Expect(s => s.OciVersion = v, problem);

    // ---- root and process

    [Test]
    public void RootIsRequired()
    {
        Expect(s => s.Root = null, "root: required (root.path names the container's root filesystem)");
        Expect(s => s.Root!.Path = "", "root.path: required (the container's root filesystem, relative to the bundle or absolute)");
    }

    [Test]
    public void ProcessIsRequiredOnlyWhenAsked()
    {
        Expect(s => s.Process = null, "process: required to create a container");
        Assert.That(Problems(s => s.Process = null, Plain with { RequireProcess = false }), Is.Empty);
    }

    [Test]
    public void ProcessArgsAndCwd()
    {
        Expect(s => s.Process!.Args = null, "process.args: must contain at least one entry (the program to run)");
        Expect(s => s.Process!.Args = [], "process.args: must contain at least one entry (the program to run)");
        Expect(s => s.Process!.Args = [""], "process.args[0]: must not be empty (it is the program to run)");
        Expect(s => s.Process!.Args = ["sh", null!], "process.args[1]: expected string, got null");
        Expect(s => s.Process!.Args = ["sh", "a\0b"], "process.args[1]: contains a NUL byte");
        Expect(s => s.Process!.Cwd = null, "process.cwd: required (an absolute path inside the container)");
        Expect(s => s.Process!.Cwd = "home/user", "process.cwd: \"home/user\" is not an absolute path");
    }

    [Test]
    public void ProcessEnv()
    {
        Expect(s => s.Process!.Env!.Add("NOEQUALS"), "process.env[2]: \"NOEQUALS\" is not of the form NAME=VALUE");
        Expect(s => s.Process!.Env!.Add("=value"), "process.env[2]: \"=value\" has an empty variable name");
        Expect(s => s.Process!.Env!.Add(null!), "process.env[2]: expected string, got null");
        Assert.That(Problems(s => s.Process!.Env!.Add("EMPTY=")), Is.Empty);
    }

    [Test]
    public void Umask()
    {
        Expect(s => s.Process!.User!.Umask = 0x200, "process.user.umask: 512 (octal 1000) is not a umask: at most 511 (octal 777)");
        Assert.That(Problems(s => s.Process!.User!.Umask = 0x12), Is.Empty);
    }

    [Test]
    public void UnknownCapabilityIsAnError()
    {
        // runtime-tools' process_capabilities_fail.
        Expect(s => s.Process!.Capabilities!.Bounding!.Add("CAP_FOO"), "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
        Expect(s => s.Process!.Capabilities!.Effective = ["cap_kill"], "process.capabilities.effective[0]: unknown capability \"cap_kill\"");
        Expect(s => s.Process!.Capabilities!.Ambient = [null!], "process.capabilities.ambient[0]: expected string, got null");
        Assert.That(Problems(s => s.Process!.Capabilities!.Inheritable = ["CAP_CHECKPOINT_RESTORE", "CAP_BPF"]), Is.Empty);
    }

    [Test]
    public void Rlimits()
    {
        Expect(s => s.Process!.Rlimits!.Add(new PosixRlimit { Type = "RLIMIT_FOO", Hard = 1, Soft = 1 }), "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
        Expect(s => s.Process!.Rlimits!.Add(new PosixRlimit { Hard = 1, Soft = 1 }), "process.rlimits[1].type: required (an RLIMIT_* name)");
        Expect(s => s.Process!.Rlimits!.Add(new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 5, Soft = 5 }),
            "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\" (also process.rlimits[0])");
        Expect(s => s.Process!.Rlimits![0].Soft = 2048, "process.rlimits[0]: soft limit 2048 is greater than hard limit 1024");
        Expect(s => s.Process!.Rlimits!.Add(null!), "process.rlimits[1]: expected object, got null");
    }

    [Test]
    public void OomScoreAdj()
    {
        Expect(s => s.Process!.OomScoreAdj = 1001, "process.oomScoreAdj: 1001 is outside -1000..1000");
        Assert.That(Problems(s => s.Process!.OomScoreAdj = -1000), Is.Empty);
    }

    [Test]
    public void SchedulerFollowsRuncsRules()
    {
        Expect(s => s.Process!.Scheduler = new Scheduler(), "process.scheduler.policy: required (SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE)");
        Expect(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_FAST" },
            "process.scheduler.policy: unknown policy \"SCHED_FAST\" (known: SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)");
        Expect(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_OTHER", Nice = 20 }, "process.scheduler.nice: 20 is outside -20..19");
        Expect(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_OTHER", Priority = 5 }, "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not SCHED_OTHER");
        Expect(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_RR", Priority = 5, Runtime = 10 }, "process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE, not SCHED_RR");
        Expect(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Flags = ["SCHED_FLAG_NOPE"] },
            "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_NOPE\" (known: SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX)");
        Assert.That(Problems(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_DEADLINE", Runtime = 10, Deadline = 20, Period = 30 }), Is.Empty);
        Assert.That(Problems(s => s.Process!.Scheduler = new Scheduler { Policy = "SCHED_FIFO", Priority = 50, Flags = ["SCHED_FLAG_RESET_ON_FORK"] }), Is.Empty);
    }

    [Test]
    public void IoPriority()
    {
        Expect(s => s.Process!.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_FAST" }, "process.ioPriority.class: unknown class \"IOPRIO_CLASS_FAST\" (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)");
        Expect(s => s.Process!.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 }, "process.ioPriority.priority: 8 is outside 0..7");
        Assert.That(Problems(s => s.Process!.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_IDLE", Priority = 7 }), Is.Empty);
    }

    [Test]
    public void ExecCpuAffinity()
    {
        Expect(s => s.Process!.ExecCPUAffinity = new CpuAffinity { Initial = "0-" }, "process.execCPUAffinity.initial: \"0-\" is not a CPU list (e.g. \"0-3,7\")");
        Expect(s => s.Process!.ExecCPUAffinity = new CpuAffinity { Final = "3-1" }, "process.execCPUAffinity.final: \"3-1\" is not a CPU list (e.g. \"0-3,7\")");
        Assert.That(Problems(s => s.Process!.ExecCPUAffinity = new CpuAffinity { Initial = "0-3,7", Final = "0-15:2/4" }), Is.Empty);
    }

    [Test]
    public void LsmLabelsNeedTheHostAndTheRuntime()
    {
        Expect(s => s.Process!.ApparmorProfile = "docker-default", "process.apparmorProfile: AppArmor is not enabled on this host");
        Expect(s => s.Process!.ApparmorProfile = "docker-default", "process.apparmorProfile: AppArmor profiles are not supported by this runtime",
            Plain with { Host = new FakeHost { AppArmor = true }, Support = new FeatureSupport() });
        Assert.That(Problems(s => s.Process!.ApparmorProfile = "docker-default",
            Plain with { Host = new FakeHost { AppArmor = true }, Support = new FeatureSupport { AppArmor = true } }), Is.Empty);
        // Without SELinux a label is ignored (crun's behaviour; runtime-tools expects it).
        Assert.That(Problems(s => s.Process!.SelinuxLabel = "system_u:system_r:container_t:s0"), Is.Empty);
        Expect(s => s.Process!.SelinuxLabel = "system_u:system_r:container_t:s0", "process.selinuxLabel: SELinux labels are not supported by this runtime",
            Plain with { Host = new FakeHost { SELinux = true }, Support = new FeatureSupport() });
    }

    [Test]
    public void ExecProcessPathsAreRelativeToTheProcess()
    {
        var p = Valid().Process!;
        p.Cwd = "rel";
        p.Capabilities!.Permitted![1] = "CAP_NOPE";
        Assert.That(SpecValidator.CheckProcess(p, Plain).Problems,
            Is.EqualTo(new[] { "cwd: \"rel\" is not an absolute path", "capabilities.permitted[1]: unknown capability \"CAP_NOPE\"" }));
    }

    // ---- mounts and hooks

    [Test]
    public void Mounts()
    {
        Expect(s => s.Mounts![2].Destination = null, "mounts[2].destination: required (where the mount goes inside the container)");
        Expect(s => s.Mounts![2].Options![0] = null!, "mounts[2].options[0]: expected string, got null");
        Expect(s => s.Mounts![0].Source = "pr\0c", "mounts[0].source: contains a NUL byte");
        Expect(s => s.Mounts!.Add(null!), "mounts[7]: expected object, got null");
        Expect(s => s.Mounts![1].UidMappings = [new LinuxIdMapping { Size = 1 }], "mounts[1]: uidMappings and gidMappings must be given together");
        Expect(s =>
        {
            s.Mounts![1].UidMappings = [new LinuxIdMapping { Size = 1 }];
            s.Mounts[1].GidMappings = [new LinuxIdMapping { Size = 1 }];
        }, "mounts[1].uidMappings: id-mapped mounts are not supported by this runtime");
        Assert.That(Problems(s => s.Mounts![0].Destination = "proc"), Is.Empty, "relative destinations are a warning");
        Assert.That(Problems(s => s.Mounts![0].Options = ["bogus-option"]), Is.Empty, "option names are the rootfs code's");
    }

    [Test]
    public void Hooks()
    {
        Expect(s => s.Hooks = new OciHooks { Prestart = [new Hook { Path = "true" }] }, "hooks.prestart[0].path: \"true\" is not an absolute path");
        Expect(s => s.Hooks = new OciHooks { Poststop = [new Hook { Path = "/bin/true" }, new Hook { Path = "/bin/true", Timeout = 0 }] },
            "hooks.poststop[1].timeout: must be greater than zero (got 0)");
        Expect(s => s.Hooks = new OciHooks { CreateRuntime = [new Hook()] }, "hooks.createRuntime[0].path: required (an absolute path to the hook's program)");
        Expect(s => s.Hooks = new OciHooks { StartContainer = [new Hook { Path = "/x", Args = ["x", null!] }] }, "hooks.startContainer[0].args[1]: expected string, got null");
        Assert.That(Problems(s => s.Hooks = new OciHooks { CreateContainer = [new Hook { Path = "/x", Timeout = 1 }], Poststart = [new Hook { Path = "/y" }] }), Is.Empty);
    }

    // ---- namespaces

    [Test]
    public void Namespaces()
    {
        Expect(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "pid" }), "linux.namespaces[5]: duplicate namespace type \"pid\" (also linux.namespaces[0])");
        Expect(s => s.Linux!.Namespaces![1].Type = "pid", "linux.namespaces[1]: duplicate namespace type \"pid\" (also linux.namespaces[0])");
        Expect(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "net" }),
            "linux.namespaces[5].type: unknown namespace type \"net\" (known: pid, network, mount, ipc, uts, user, cgroup, time)");
        Expect(s => s.Linux!.Namespaces!.Add(new LinuxNamespace()), "linux.namespaces[5].type: required");
        Expect(s => s.Linux!.Namespaces![1].Path = "proc/1/ns/net", "linux.namespaces[1].path: \"proc/1/ns/net\" is not an absolute path");
        Expect(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" }), "linux.namespaces[5]: this kernel has no time namespaces",
            Plain with { Host = new FakeHost { MissingNamespaceKinds = ["time"] } });
        Assert.That(Problems(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "cgroup" })), Is.Empty);
        Assert.That(Problems(s => s.Linux!.Namespaces![1].Path = "/proc/1/ns/net"), Is.Empty);
    }

    [Test]
    public void UserNamespaceAndMappings()
    {
        Expect(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" }),
            "linux.namespaces[5]: a new user namespace needs linux.uidMappings and linux.gidMappings");
        Expect(s => s.Linux!.UidMappings = [new LinuxIdMapping { HostId = 1000, Size = 1 }],
            "linux.uidMappings: id mappings need a user namespace (add {\"type\": \"user\"} to linux.namespaces)");
        Expect(s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
            s.Linux.UidMappings = [new LinuxIdMapping { HostId = 1000, Size = 0 }];
            s.Linux.GidMappings = [new LinuxIdMapping { HostId = 1000, Size = 1 }];
        }, "linux.uidMappings[0].size: must be greater than 0");
        var both = Problems(s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
            s.Linux.UidMappings = [new LinuxIdMapping { HostId = 1000, Size = 1 }];
            s.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 4294967295, HostId = 1000, Size = 2 }];
        });
        Assert.That(both, Is.EqualTo(new[] { "linux.gidMappings[0]: containerID 4294967295 + size 2 runs past 4294967295" }));
        Assert.That(Problems(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = "/proc/1/ns/user" })), Is.Empty,
            "joining a user namespace needs no mappings");
    }

    [Test]
    public void TimeOffsets()
    {
        var offsets = new Dictionary<string, LinuxTimeOffset> { ["monotonic"] = new() { Secs = 10 } };
        Expect(s => s.Linux!.TimeOffsets = offsets, "linux.timeOffsets: time offsets need a time namespace (add {\"type\": \"time\"} to linux.namespaces)");
        Expect(s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time", Path = "/proc/1/ns/time" });
            s.Linux.TimeOffsets = offsets;
        }, "linux.timeOffsets: cannot set offsets of the existing time namespace joined at linux.namespaces[5].path");
        Expect(s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
            s.Linux.TimeOffsets = new() { ["realtime"] = new() { Secs = 1 } };
        }, "linux.timeOffsets[\"realtime\"]: unknown clock (a time namespace offsets \"monotonic\" and \"boottime\")");
        Expect(s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
            s.Linux.TimeOffsets = new() { ["boottime"] = new() { Nanosecs = 1_000_000_000 } };
        }, "linux.timeOffsets[\"boottime\"].nanosecs: 1000000000 is not below 1000000000");
        Assert.That(Problems(s =>
        {
            s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
            s.Linux.TimeOffsets = new() { ["boottime"] = new() { Secs = -5, Nanosecs = 5 }, ["monotonic"] = new() { Secs = 7 } };
        }), Is.Empty);
    }

    [Test]
    public void HostnameNeedsUts()
    {
        Expect(s => s.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts"), "hostname: setting the hostname needs a UTS namespace (add {\"type\": \"uts\"} to linux.namespaces)");
        Expect(s => s.Domainname = new string('d', 65), "domainname: \"" + new string('d', 65) + "\" is longer than 64 bytes");
    }

    [Test]
    public void MaskedAndReadonlyPaths()
    {
        Expect(s => s.Linux!.MaskedPaths!.Add("proc/kcore"), "linux.maskedPaths[10]: \"proc/kcore\" is not an absolute path");
        Expect(s => s.Linux!.ReadonlyPaths!.Add(null!), "linux.readonlyPaths[5]: expected string, got null");
        var problems = Problems(s => s.Linux!.Namespaces!.RemoveAll(n => n.Type == "mount"));
        Assert.That(problems, Is.EqualTo(new[]
        {
            "linux.maskedPaths: masking or protecting paths needs a mount namespace (add {\"type\": \"mount\"} to linux.namespaces)",
            "linux.readonlyPaths: masking or protecting paths needs a mount namespace (add {\"type\": \"mount\"} to linux.namespaces)",
        }));
    }

    // ---- devices and resources

    [Test]
    public void Devices()
    {
        Expect(s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "x", Major = 10, Minor = 229 }], "linux.devices[0].type: unknown device type \"x\" for /dev/fuse (c, b, u or p)");
        Expect(s => s.Linux!.Devices = [new LinuxDevice { Path = "dev/fuse", Type = "c", Major = 10, Minor = 229 }], "linux.devices[0].path: \"dev/fuse\" is not an absolute path");
        Expect(s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Minor = 229 }], "linux.devices[0].major: required for a \"c\" device");
        Expect(s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/sda", Type = "b", Major = 8 }], "linux.devices[0].minor: required for a \"b\" device");
        Expect(s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/x", Type = "u", Major = -1, Minor = 0 }], "linux.devices[0].major: -1 is negative");
        Expect(s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/x" }], "linux.devices[0].type: required (c, b, u or p)");
        Assert.That(Problems(s => s.Linux!.Devices = [new LinuxDevice { Path = "/dev/fifo", Type = "p" }]), Is.Empty, "a fifo has no numbers");
    }

    [Test]
    public void CgroupDeviceRules()
    {
        Expect(s => s.Linux!.Resources!.Devices!.Add(new LinuxDeviceCgroup { Allow = true, Type = "p", Access = "r" }), "linux.resources.devices[1].type: unknown device type \"p\" (a, c or b)");
        Expect(s => s.Linux!.Resources!.Devices!.Add(new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwx" }), "linux.resources.devices[1].access: \"rwx\" may only contain r, w and m");
        Assert.That(Problems(s => s.Linux!.Resources!.Devices!.Add(new LinuxDeviceCgroup { Allow = true, Type = "a", Access = "m" })), Is.Empty);
    }

    [Test]
    public void Resources()
    {
        Expect(s => s.Linux!.Resources!.Memory = new LinuxMemory { Limit = -2 }, "linux.resources.memory.limit: -2 is not a limit (bytes, or -1 for unlimited)");
        Expect(s => s.Linux!.Resources!.Memory = new LinuxMemory { Swappiness = 101 }, "linux.resources.memory.swappiness: 101 is outside 0..100");
        Expect(s => s.Linux!.Resources!.Cpu = new LinuxCpu { Cpus = "0,,1" }, "linux.resources.cpu.cpus: \"0,,1\" is not a list like \"0-3,7\"");
        Expect(s => s.Linux!.Resources!.BlockIO = new LinuxBlockIo { WeightDevice = [new LinuxWeightDevice { Major = 8 }] }, "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight");
        Expect(s => s.Linux!.Resources!.HugepageLimits = [new LinuxHugepageLimit { PageSize = "2M", Limit = 1 }], "linux.resources.hugepageLimits[0].pageSize: \"2M\" is not of the form <size><unit>B (e.g. \"2MB\", \"1GB\")");
        Expect(s => s.Linux!.Resources!.Rdma = new() { ["mlx4_0"] = new LinuxRdma() }, "linux.resources.rdma[\"mlx4_0\"]: needs hcaHandles or hcaObjects");
        Expect(s => s.Linux!.Resources!.Unified = new() { ["../../cgroup.procs"] = "1" }, "linux.resources.unified[\"../../cgroup.procs\"]: not a cgroup file name");
        Expect(s => s.Linux!.Resources!.Network = new LinuxNetwork { Priorities = [new LinuxInterfacePriority { Priority = 1 }] }, "linux.resources.network.priorities[0].name: required (a network interface name)");
        Assert.That(Problems(s => s.Linux!.Resources = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = -1, Swap = -1, Swappiness = ulong.MaxValue },
            Cpu = new LinuxCpu { Cpus = "0-3,7", Mems = "0" },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "1GB" }, new LinuxHugepageLimit { PageSize = "64KB" }],
            Unified = new() { ["memory.high"] = "max" },
        }), Is.Empty);
    }

    [Test]
    public void UpdateResourcesPathsAreRelativeToTheResources() =>
        Assert.That(SpecValidator.CheckResources(new LinuxResources { Memory = new LinuxMemory { Reservation = -7 } }).Problems,
            Is.EqualTo(new[] { "memory.reservation: -7 is not a limit (bytes, or -1 for unlimited)" }));

    // ---- sysctl (runc's validator)

    [TestCase("kernel.shmmax", "ipc", "linux.sysctl[\"kernel.shmmax\"]: not allowed in the host's IPC namespace (add {\"type\": \"ipc\"} to linux.namespaces)")]
    [TestCase("fs.mqueue.msg_max", "ipc", "linux.sysctl[\"fs.mqueue.msg_max\"]: not allowed in the host's IPC namespace (add {\"type\": \"ipc\"} to linux.namespaces)")]
    [TestCase("net.ipv4.ip_forward", "network", "linux.sysctl[\"net.ipv4.ip_forward\"]: not allowed in the host's network namespace (add {\"type\": \"network\"} to linux.namespaces)")]
    [TestCase("net/ipv4/conf/eno2.100/rp_filter", "network", "linux.sysctl[\"net/ipv4/conf/eno2.100/rp_filter\"]: not allowed in the host's network namespace (add {\"type\": \"network\"} to linux.namespaces)")]
    [TestCase("kernel.domainname", "uts", "linux.sysctl[\"kernel.domainname\"]: not in a namespace of the container's own: setting it would change the host")]
    public void SysctlNeedsItsNamespace(string key, string ns, string problem) =>
        Expect(s =>
        {
            s.Hostname = null;
            s.Linux!.Namespaces!.RemoveAll(n => n.Type == ns);
            s.Linux.Sysctl = new() { [key] = "1" };
        }, problem);

    [TestCase("kernel.shmmax")]
    [TestCase("fs.mqueue.msg_max")]
    [TestCase("net.ipv4.ip_forward")]
    [TestCase("net/ipv4/conf/eno2.100/rp_filter")]
    [TestCase("kernel.domainname")]
    public void SysctlInTheContainersOwnNamespace(string key) =>
        Assert.That(Problems(s => s.Linux!.Sysctl = new() { [key] = "1" }), Is.Empty);

    [Test]
    public void SysctlRules()
    {
        Expect(s => s.Linux!.Sysctl = new() { ["kernel.hostname"] = "x" }, "linux.sysctl[\"kernel.hostname\"]: conflicts with the \"hostname\" field: set that instead");
        Expect(s => s.Linux!.Sysctl = new() { ["vm.swappiness"] = "1" }, "linux.sysctl[\"vm.swappiness\"]: not in a namespace of the container's own: setting it would change the host");
        Expect(s => s.Linux!.Sysctl = new() { ["user.max_user_namespaces"] = "0" }, "linux.sysctl[\"user.max_user_namespaces\"]: setting ucounts needs a user namespace (add {\"type\": \"user\"} to linux.namespaces)");
        Expect(s => s.Linux!.Sysctl = new() { ["net/../../etc/x"] = "1" }, "linux.sysctl[\"net/../../etc/x\"]: not a sysctl name (dot-separated, like \"net.ipv4.ip_forward\")");
        Expect(s => s.Linux!.Sysctl = new() { ["net.ipv4..x"] = "1" }, "linux.sysctl[\"net.ipv4..x\"]: not a sysctl name (dot-separated, like \"net.ipv4.ip_forward\")");
        Expect(s => s.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = null! }, "linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got null");
    }

    [Test]
    public void NetSysctlInAJoinedNetworkNamespace()
    {
        var host = Plain with { Host = new FakeHost { HostNetPath = "/proc/1/ns/net" } };
        Expect(s =>
        {
            s.Linux!.Namespaces![1].Path = "/proc/1/ns/net";
            s.Linux.Sysctl = new() { ["net.core.somaxconn"] = "1024" };
        }, "linux.sysctl[\"net.core.somaxconn\"]: not allowed: linux.namespaces[1].path is the host's network namespace", host);
        Expect(s =>
        {
            s.Linux!.Namespaces![1].Path = "/missing";
            s.Linux.Sysctl = new() { ["net.core.somaxconn"] = "1024" };
        }, "linux.sysctl[\"net.core.somaxconn\"]: cannot check linux.namespaces[1].path: stat /missing: ENOENT (No such file or directory)", host);
        Assert.That(Problems(s =>
        {
            s.Linux!.Namespaces![1].Path = "/run/netns/other";
            s.Linux.Sysctl = new() { ["net.core.somaxconn"] = "1024" };
        }, host), Is.Empty);
    }

    [Test]
    public void SysctlAgainstTheRealHostNetworkNamespace()
    {
        // /proc/self/ns/net is this process's (the host's) namespace; /proc/1 is the same one on a host.
        var real = new ValidationOptions();
        var spec = Valid();
        spec.Linux!.Namespaces![1].Path = "/proc/self/ns/net";
        spec.Linux.Sysctl = new() { ["net.core.somaxconn"] = "1024" };
        Assert.That(SpecValidator.Check(spec, real).Problems,
            Is.EqualTo(new[] { "linux.sysctl[\"net.core.somaxconn\"]: not allowed: linux.namespaces[1].path is the host's network namespace" }));
    }

    // ---- the rest of linux

    [Test]
    public void LinuxMisc()
    {
        Expect(s => s.Linux!.CgroupsPath = "", "linux.cgroupsPath: must not be empty when given (leave it out for the default)");
        Expect(s => s.Linux!.RootfsPropagation = "recursive",
            "linux.rootfsPropagation: unknown propagation \"recursive\" (known: private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable)");
        Expect(s => s.Linux!.Personality = new LinuxPersonality { Domain = "LINUX64" }, "linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)");
        Expect(s => s.Linux!.Personality = new LinuxPersonality { Domain = "LINUX", Flags = ["ADDR_NO_RANDOMIZE"] }, "linux.personality.flags[0]: unknown flag \"ADDR_NO_RANDOMIZE\" (the spec defines none)");
        Assert.That(Problems(s =>
        {
            s.Linux!.CgroupsPath = "/runtime/test";
            s.Linux.RootfsPropagation = "rslave";
            s.Linux.Personality = new LinuxPersonality { Domain = "LINUX32" };
        }), Is.Empty);
    }

    [Test]
    public void MemoryPolicy()
    {
        Expect(s => s.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_FAST" },
            "linux.memoryPolicy.mode: unknown mode \"MPOL_FAST\" (known: MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY, MPOL_LOCAL)");
        Expect(s => s.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_BIND" }, "linux.memoryPolicy.nodes: MPOL_BIND needs at least one node");
        Expect(s => s.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_LOCAL", Nodes = "0" }, "linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes");
        Expect(s => s.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_PREFERRED", Flags = ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"] },
            "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
        Expect(s => s.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_INTERLEAVE", Nodes = "a" }, "linux.memoryPolicy.nodes: \"a\" is not a node list (e.g. \"0-1,3\")");
        Assert.That(Problems(s => s.Linux!.MemoryPolicy = new LinuxMemoryPolicy { Mode = "MPOL_INTERLEAVE", Nodes = "0-1", Flags = ["MPOL_F_STATIC_NODES"] }), Is.Empty);
    }

    [Test]
    public void IntelRdtNeedsResctrlAndSupport()
    {
        Expect(s => s.Linux!.IntelRdt = new LinuxIntelRdt { ClosId = "x" }, "linux.intelRdt: Intel RDT is not available on this host (no resctrl filesystem at /sys/fs/resctrl)");
        Expect(s => s.Linux!.IntelRdt = new LinuxIntelRdt { ClosId = "x" }, "linux.intelRdt: Intel RDT is not supported by this runtime",
            Plain with { Host = new FakeHost { Resctrl = true } });
        Expect(s => s.Linux!.IntelRdt = new LinuxIntelRdt { ClosId = "a/b" }, "linux.intelRdt.closID: \"a/b\" is not a resctrl group name",
            Plain with { Host = new FakeHost { Resctrl = true }, Support = new FeatureSupport { IntelRdt = true } });
    }

    [Test]
    public void NetDevices()
    {
        Expect(s => s.Linux!.NetDevices = new() { ["eth1"] = new LinuxNetDevice() }, "linux.netDevices: moving network devices is not supported by this runtime");
        var supported = Plain with { Support = new FeatureSupport { NetDevices = true } };
        Expect(s => s.Linux!.NetDevices = new() { ["eth/1"] = new LinuxNetDevice() }, "linux.netDevices[\"eth/1\"]: not a network interface name", supported);
        Expect(s => s.Linux!.NetDevices = new() { ["eth1"] = new LinuxNetDevice { Name = "a-name-that-is-too-long" } },
            "linux.netDevices[\"eth1\"].name: \"a-name-that-is-too-long\" is not a network interface name", supported);
        Expect(s =>
        {
            s.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
            s.Linux.NetDevices = new() { ["eth1"] = new LinuxNetDevice() };
        }, "linux.netDevices: moving network devices needs a network namespace (add {\"type\": \"network\"} to linux.namespaces)", supported);
    }

    [Test]
    public void Annotations()
    {
        Expect(s => s.Annotations = new() { [""] = "x" }, "annotations: keys must not be empty");
        Expect(s => s.Annotations = new() { ["org.example.key"] = null! }, "annotations[\"org.example.key\"]: expected string, got null");
    }

    [Test]
    public void SeccompIsLeftToTheSeccompCode() =>
        Assert.That(Problems(s => s.Linux!.Seccomp = new LinuxSeccomp { DefaultAction = "SCMP_ACT_NOPE" }), Is.Empty);
}
