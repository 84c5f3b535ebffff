using System.Text.Json;
using NUnit.Framework;
using Runtime.Spec;
using Runtime.Spec.Validation;

namespace Runtime.Tests.SpecTests;

/// <summary>A config setting every runtime-spec 1.2 field on Linux: all of it is parsed, kept and valid.</summary>
public class RichConfigTests
{
    internal const string Json = """
    {
      "ociVersion": "1.2.0",
      "process": {
        "terminal": true,
        "consoleSize": {"height": 25, "width": 80},
        "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [5, 6], "username": "me"},
        "args": ["/bin/sh", "-c", "echo hi"],
        "commandLine": "sh -c 'echo hi'",
        "env": ["PATH=/usr/bin:/bin", "TERM=xterm", "EMPTY="],
        "cwd": "/work",
        "capabilities": {
          "bounding": ["CAP_CHOWN", "CAP_KILL"],
          "effective": ["CAP_KILL"],
          "inheritable": ["CAP_KILL"],
          "permitted": ["CAP_CHOWN", "CAP_KILL"],
          "ambient": ["CAP_KILL"]
        },
        "rlimits": [
          {"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024},
          {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}
        ],
        "noNewPrivileges": true,
        "apparmorProfile": "runtime-default",
        "oomScoreAdj": -500,
        "scheduler": {"policy": "SCHED_DEADLINE", "nice": 5, "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 10000, "deadline": 20000, "period": 30000},
        "selinuxLabel": "system_u:system_r:container_t:s0:c1,c2",
        "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
        "execCPUAffinity": {"initial": "0-1", "final": "0-3,7"}
      },
      "root": {"path": "rootfs", "readonly": true},
      "hostname": "rich",
      "domainname": "example.org",
      "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "rro", "idmap"],
         "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
         "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}
      ],
      "hooks": {
        "prestart": [{"path": "/usr/bin/hook", "args": ["hook", "prestart"], "env": ["A=1"], "timeout": 5}],
        "createRuntime": [{"path": "/usr/bin/hook", "args": ["hook", "createRuntime"]}],
        "createContainer": [{"path": "/usr/bin/hook"}],
        "startContainer": [{"path": "/usr/bin/hook"}],
        "poststart": [{"path": "/usr/bin/hook", "timeout": 1}],
        "poststop": [{"path": "/usr/bin/hook", "env": ["B=2"]}]
      },
      "annotations": {"org.example.key": "value", "com.example.empty": ""},
      "linux": {
        "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
        "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
        "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "4096", "fs.mqueue.msg_max": "10", "kernel.domainname": "d"},
        "resources": {
          "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
          "memory": {"limit": 536870912, "reservation": 268435456, "swap": 1073741824, "kernel": -1, "kernelTCP": -1, "swappiness": 60,
                     "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true},
          "cpu": {"shares": 1024, "quota": 100000, "burst": 5000, "period": 100000, "realtimeRuntime": 950000, "realtimePeriod": 1000000,
                  "cpus": "0-3", "mems": "0", "idle": 0},
          "pids": {"limit": 32768},
          "blockIO": {
            "weight": 500, "leafWeight": 300,
            "weightDevice": [{"major": 8, "minor": 0, "weight": 500, "leafWeight": 300}],
            "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 104857600}],
            "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 104857600}],
            "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 1000}],
            "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 1000}]
          },
          "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
          "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
          "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
          "unified": {"memory.high": "max", "io.weight": "default 100"}
        },
        "cgroupsPath": "/runtime/rich",
        "namespaces": [
          {"type": "pid"}, {"type": "network"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"},
          {"type": "user"}, {"type": "cgroup"}, {"type": "time"}
        ],
        "devices": [
          {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
          {"path": "/dev/pipe", "type": "p"}
        ],
        "netDevices": {"eth1": {"name": "ctr1"}},
        "seccomp": {
          "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
          "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
          "flags": ["SECCOMP_FILTER_FLAG_LOG"],
          "listenerPath": "/run/seccomp.sock", "listenerMetadata": "meta",
          "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "errnoRet": 0,
                        "args": [{"index": 0, "value": 1, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]}]
        },
        "rootfsPropagation": "rslave",
        "maskedPaths": ["/proc/kcore"],
        "readonlyPaths": ["/proc/sys"],
        "mountLabel": "system_u:object_r:container_file_t:s0:c1,c2",
        "intelRdt": {"closID": "guaranteed", "schemata": ["L3:0=ff"], "l3CacheSchema": "L3:0=ff", "memBwSchema": "MB:0=70",
                     "enableMonitoring": true, "enableCMT": true, "enableMBM": true},
        "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "0-1", "flags": ["MPOL_F_STATIC_NODES"]},
        "personality": {"domain": "LINUX32", "flags": []},
        "timeOffsets": {"monotonic": {"secs": 86400, "nanosecs": 500}, "boottime": {"secs": -3600}}
      }
    }
    """;

    private static readonly ValidationOptions Everything = new()
    {
        Host = new FakeHost { AppArmor = true, SELinux = true, Resctrl = true },
        Support = new FeatureSupport { AppArmor = true, SELinux = true, IntelRdt = true, IdmapMounts = true, NetDevices = true },
    };

    [Test]
    public void ParsesAndValidatesOnAHostAndRuntimeThatHaveEverything()
    {
        using var b = new TempBundle().WithConfig(Json);
        var spec = ConfigLoader.Load(b.Dir, Everything).Spec;
        Assert.That(spec.Process!.ConsoleSize!.Width, Is.EqualTo(80));
        Assert.That(spec.Process.User!.AdditionalGids, Is.EqualTo(new uint[] { 5, 6 }));
        Assert.That(spec.Process.Scheduler!.Period, Is.EqualTo(30000));
        Assert.That(spec.Mounts![1].GidMappings![0].HostId, Is.EqualTo(100000));
        Assert.That(spec.Hooks!.Prestart![0].Timeout, Is.EqualTo(5));
        Assert.That(spec.Linux!.Resources!.BlockIO!.ThrottleWriteIopsDevice![0].Rate, Is.EqualTo(1000));
        Assert.That(spec.Linux.Resources.Network!.ClassId, Is.EqualTo(1048577));
        Assert.That(spec.Linux.Resources.Memory!.KernelTcp, Is.EqualTo(-1));
        Assert.That(spec.Linux.Devices![0].FileMode, Is.EqualTo(438));
        Assert.That(spec.Linux.Devices[1].Major, Is.Null);
        Assert.That(spec.Linux.Seccomp!.Syscalls![0].Args![0].ValueTwo, Is.EqualTo(2));
        Assert.That(spec.Linux.IntelRdt!.EnableMbm, Is.True);
        Assert.That(spec.Linux.TimeOffsets!["boottime"].Secs, Is.EqualTo(-3600));
        Assert.That(spec.Linux.NetDevices!["eth1"].Name, Is.EqualTo("ctr1"));
    }

    [Test]
    public void EveryFieldIsKeptWhenWrittenBack()
    {
        var spec = ConfigLoader.Parse(System.Text.Encoding.UTF8.GetBytes(Json), SpecJsonContext.Default.Spec, "config.json");
        var written = JsonSerializer.Serialize(spec, SpecJsonContext.Default.Spec);
        var missing = Leaves(JsonDocument.Parse(Json).RootElement, "").Except(Leaves(JsonDocument.Parse(written).RootElement, "")).ToList();
        Assert.That(missing, Is.Empty, "fields the model dropped");
    }

    [Test]
    public void OnThisRuntimeTodayTheUnimplementedPartsAreRefused()
    {
        using var b = new TempBundle().WithConfig(Json);
        var problems = SpecValidator.Check(ConfigLoader.Parse(File.ReadAllBytes(b.ConfigPath), SpecJsonContext.Default.Spec, "config.json"),
            new ValidationOptions { Host = new FakeHost { AppArmor = true, SELinux = true, Resctrl = true }, BundlePath = b.Dir }).Problems;
        Assert.That(problems, Is.EqualTo(new[]
        {
            "mounts[1].uidMappings: id-mapped mounts are not supported by this runtime",
            "linux.intelRdt: Intel RDT is not supported by this runtime",
            "linux.netDevices: moving network devices is not supported by this runtime",
        }));
    }

    /// <summary>Every path to a scalar ("linux.resources.cpu.quota=100000"), arrays by index. Strings by value:
    /// the writer may escape differently ("'" as \u0027).</summary>
    private static IEnumerable<string> Leaves(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Leaves(p.Value, path + "." + p.Name)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany((v, i) => Leaves(v, $"{path}[{i}]")),
        JsonValueKind.String => [$"{path}=\"{e.GetString()}\""],
        _ => [$"{path}={e.GetRawText()}"],
    };
}
