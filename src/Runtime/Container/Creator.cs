using System.Buffers.Binary;
using System.Text.Json;
using Runtime.Cgroups;
using Runtime.Hooks;
using Runtime.Init;
using Runtime.Linux;
using Runtime.Namespaces;
using Runtime.Process;
using Runtime.Spec;
using Runtime.State;

namespace Runtime.Container;

internal sealed record CreateRequest(string Root, string Id, string Bundle, string? ConsoleSocket = null,
    string? PidFile = null, bool NoPivot = false, bool NoNewKeyring = false, int PreserveFds = 0, int ProxySocket = -1);

/// <summary>`create`: a container whose init waits, fully set up, for `start`.</summary>
internal static class Creator
{
    public static ContainerRecord Create(CreateRequest r)
    {
        ContainerId.Validate(r.Id);
        var layout = CgroupLayout.Detect();
        CgroupWarmup.Begin(layout);
        Logging.Log.Stage("create: load config");
        var config = ConfigLoader.Load(string.IsNullOrEmpty(r.Bundle) ? "." : r.Bundle);
        foreach (var w in config.Warnings)
            Logging.Log.Warn(w);
        var (spec, configBytes, bundle) = (config.Spec, config.ConfigBytes, config.BundlePath);
        var process = spec.Process!;
        var rootfs = config.RootfsPath!;
        var bootstrap = NamespacePlan.ForCreate(spec);
        Logging.Log.Stage("create: seccomp, console, state dir");
        var seccomp = SeccompSetup.Compile(r.Root, spec.Linux?.Seccomp);
        int preserve = r.PreserveFds + ListenFds();

        using var console = ConsoleSocket.Connect(r.ConsoleSocket, process.Terminal, preserve, r.ProxySocket);
        var store = new StateStore(r.Root);
        using var dir = store.CreateNew(r.Id);
        InitProcess? init = null;
        CgroupManager? cgroup = null;
        bool prestartRan = false;
        var record = new ContainerRecord
        {
            Id = r.Id, Bundle = bundle, Rootfs = rootfs, Created = DateTimeOffset.Now, Owner = OwnerName(),
            Annotations = spec.Annotations, Poststart = spec.Hooks?.Poststart, Poststop = spec.Hooks?.Poststop,
            PrivatePidNamespace = NamespacePlan.Creates(spec, "pid"), Terminal = process.Terminal,
            Seccomp = spec.Linux?.Seccomp,
        };
        try
        {
            dir.Write(record);
            var fifo = Path.Combine(dir.Path, ContainerDir.ExecFifo);
            Libc.Check(Libc.MkfifoAt(dir.Fd, ContainerDir.ExecFifo, 0x180), $"mkfifo {fifo}");
            // Writable by the container's user, whoever that is: init opens it after dropping root.
            Libc.Check(Libc.Chmod(fifo, 0x192 /* 0622 */), $"chmod {fifo}");
            using (var fifoFd = OpenInherited(fifo, preserve))
            {
                var options = new InitOptions
                {
                    Mode = "create", Id = r.Id, Bundle = bundle, Rootfs = rootfs, NoPivot = r.NoPivot,
                    NoNewKeyring = r.NoNewKeyring, PreserveFds = preserve, ListenFds = preserve - r.PreserveFds,
                    ConsoleSocketFd = console?.Fd ?? -1, FifoFd = fifoFd.Fd, HasSeccomp = seccomp != null, Debug = Logging.Log.IsDebugEnabled,
                    AppArmorEnabled = HostFacts.Current.AppArmorEnabled, SelinuxEnabled = HostFacts.Current.SELinuxEnabled,
                };
                // A new cgroup namespace is rooted where the init is when it unshares: the init joins its
                // cgroup before the constructor stage then. Otherwise the cgroup is made and joined once
                // the init runs, so the kernel's wait for the first move (see CgroupWarmup) overlaps the
                // init's .NET start and config parsing; the init waits for CgroupJoined before it mounts
                // or forks anything.
                bool joinEarly = NamespacePlan.Creates(spec, "cgroup");
                void MakeAndJoinCgroup(int pid)
                {
                    Logging.Log.Stage("create: make and join cgroup");
                    cgroup = CgroupManager.Create(layout, spec.Linux?.CgroupsPath, r.Id,
                        DeviceAllowList.Complete(spec.Linux?.Resources, spec.Linux?.Devices), Logging.Log.Warn);
                    record.Cgroup = cgroup.ToSavedPaths();
                    cgroup.Join(pid);
                }
                init = InitProcess.Start(bootstrap, preserve, spec.Linux?.UidMappings, spec.Linux?.GidMappings,
                    beforeBootstrap: joinEarly ? MakeAndJoinCgroup : null);
                Logging.Log.Stage("create: init's .NET runtime starts");
                init.Channel.Send(InitMessage.Options, JsonSerializer.SerializeToUtf8Bytes(options, InitJsonContext.Default.InitOptions));
                if (seccomp != null)
                    init.Channel.Send(InitMessage.Seccomp, seccomp);
                init.Channel.Send(InitMessage.Config, configBytes);
                if (!joinEarly)
                    MakeAndJoinCgroup(init.Pid);
                init.Channel.Send(InitMessage.CgroupJoined);
            }
            console?.Dispose(); // the init has its own copies of the inherited fds now
            if (process.OomScoreAdj is { } adj)
                WriteOomScoreAdj(init.Pid, adj);

            record.Pid = init.Pid;
            record.PidStartTime = ProcessInfo.StartTime(init.Pid) ?? 0;
            WaitUntilReady(init, spec, record, dir, () => prestartRan = true);
            Logging.Log.Stage("create: write state");
            record.Ready = true;
            dir.Write(record);
            if (!string.IsNullOrEmpty(r.PidFile))
                PidFile.Write(r.PidFile, init.Pid);
            return record;
        }
        catch
        {
            init?.Kill();
            // The spec: a failure after the container exists (its hooks began) continues at delete: poststop runs.
            if (prestartRan)
            {
                var stopped = new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Stopped, Annotations = record.Annotations };
                foreach (var e in HookRunner.RunAllCollectingErrors(spec.Hooks?.Poststop, "poststop", stopped))
                    Logging.Log.Warn(e);
            }
            try
            {
                cgroup?.Destroy();
            }
            catch (RuntimeException e)
            {
                Logging.Log.Warn(e.Message);
            }
            dir.Remove();
            throw;
        }
        finally
        {
            init?.Dispose();
        }
    }

    /// <summary>Serves the init until it reports ready: prestart and createRuntime hooks run here, in
    /// the runtime's namespaces, once the container's namespaces and mounts exist.</summary>
    private static void WaitUntilReady(InitProcess init, Spec.Spec spec, ContainerRecord record, ContainerDir dir, Action hooksStarted)
    {
        while (true)
        {
            var msg = init.Channel.Receive() ?? throw new RuntimeException("container init exited before it was ready");
            switch (msg.Type)
            {
                case InitMessage.HooksRequest:
                    Logging.Log.Stage("create: prestart hooks");
                    dir.Write(record); // `state` now shows the pid while hooks run
                    // runtime-tools (hooks_stdin) and crun hand these hooks "created"; runc says "creating".
                    var state = new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Created, Annotations = record.Annotations };
                    try
                    {
                        HookRunner.RunAll(spec.Hooks?.Prestart, "prestart", state);
                        HookRunner.RunAll(spec.Hooks?.CreateRuntime, "createRuntime", state);
                    }
                    finally
                    {
                        hooksStarted(); // from here on a failure runs poststop (see Create)
                    }
                    var pid = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(pid, record.Pid);
                    init.Channel.Send(InitMessage.HooksDone, pid);
                    break;
                case InitMessage.SeccompListener:
                    SeccompSetup.ServeListener(init.Channel, msg.Payload, record.Pid, spec.Linux!.Seccomp!,
                        new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Running, Annotations = record.Annotations });
                    break;
                case InitMessage.Ready:
                    return;
                case InitMessage.Error:
                    throw new RuntimeException(System.Text.Encoding.UTF8.GetString(msg.Payload));
                default:
                    throw new RuntimeException($"init channel: unexpected message {msg.Type}");
            }
        }
    }

    /// <summary>An O_PATH fd of the fifo for the init: the init may not be able to reach the state directory.</summary>
    private static InheritedFd OpenInherited(string path, int preserve)
    {
        int fd = Libc.Check(Libc.Open(path, Libc.O_PATH | Libc.O_CLOEXEC, 0), $"open {path}");
        try
        {
            return new InheritedFd(fd, preserve, "exec fifo");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static void WriteOomScoreAdj(int pid, int adj) =>
        ProcWrite.Write($"/proc/{pid}/oom_score_adj", adj.ToString(), "process.oomScoreAdj");

    /// <summary>Socket activation: fds passed to us under LISTEN_FDS are preserved too, as runc does.</summary>
    private static int ListenFds() =>
        int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), out int n) && n > 0 ? n : 0;

    private static string OwnerName()
    {
        var uid = Libc.GetUid();
        if (uid == 0) return "root";
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length > 2 && f[2] == uid.ToString()) return f[0];
        }
        return "#" + uid;
    }
}
