using System.Buffers.Binary;
using System.Text.Json;
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
        var (spec, configBytes, bundle) = ConfigFile.Load(r.Bundle);
        var process = spec.Process ?? throw new RuntimeException("config.json: process: required to create a container");
        var rootfs = spec.Root?.Path is { Length: > 0 } rp
            ? Path.GetFullPath(Path.IsPathRooted(rp) ? rp : Path.Combine(bundle, rp))
            : throw new RuntimeException("config.json: root.path: required");
        if (!Directory.Exists(rootfs))
            throw new RuntimeException($"config.json: root.path: {rootfs} is not a directory");
        var bootstrap = NamespacePlan.ForCreate(spec);
        int preserve = r.PreserveFds + ListenFds();

        using var console = ConsoleSocket.Connect(r.ConsoleSocket, process.Terminal, preserve, r.ProxySocket);
        var store = new StateStore(r.Root);
        using var dir = store.CreateNew(r.Id);
        InitProcess? init = null;
        var record = new ContainerRecord
        {
            Id = r.Id, Bundle = bundle, Rootfs = rootfs, Created = DateTimeOffset.Now, Owner = OwnerName(),
            Annotations = spec.Annotations, Poststart = spec.Hooks?.Poststart, Poststop = spec.Hooks?.Poststop,
            PrivatePidNamespace = NamespacePlan.Creates(spec, "pid"), Terminal = process.Terminal,
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
                    NoNewKeyring = r.NoNewKeyring, PreserveFds = preserve,
                    ConsoleSocketFd = console?.Fd ?? -1, FifoFd = fifoFd.Fd,
                };
                init = InitProcess.Start(bootstrap, preserve, spec.Linux?.UidMappings, spec.Linux?.GidMappings, beforeBootstrap: null);
                init.Channel.Send(InitMessage.Config, configBytes);
                init.Channel.Send(InitMessage.Options, JsonSerializer.SerializeToUtf8Bytes(options, InitJsonContext.Default.InitOptions));
            }
            console?.Dispose(); // the init has its own copies of the inherited fds now
            if (process.OomScoreAdj is { } adj)
                WriteOomScoreAdj(init.Pid, adj);

            record.Pid = init.Pid;
            record.PidStartTime = ProcessInfo.StartTime(init.Pid) ?? 0;
            WaitUntilReady(init, spec, record, dir);
            dir.Write(record);
            if (!string.IsNullOrEmpty(r.PidFile))
                PidFile.Write(r.PidFile, init.Pid);
            return record;
        }
        catch
        {
            init?.Kill();
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
    private static void WaitUntilReady(InitProcess init, Spec.Spec spec, ContainerRecord record, ContainerDir dir)
    {
        while (true)
        {
            var msg = init.Channel.Receive() ?? throw new RuntimeException("container init exited before it was ready");
            switch (msg.Type)
            {
                case InitMessage.HooksRequest:
                    dir.Write(record); // `state` now shows the pid while hooks run
                    var state = new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Creating, Annotations = record.Annotations };
                    try
                    {
                        HookRunner.RunAll(spec.Hooks?.Prestart, "prestart", state);
                        HookRunner.RunAll(spec.Hooks?.CreateRuntime, "createRuntime", state);
                    }
                    catch (RuntimeException)
                    {
                        // The spec: a failed prestart/createRuntime hook stops the container and continues at delete.
                        init.Kill();
                        state.Status = ContainerStatus.Stopped;
                        foreach (var e in HookRunner.RunAllCollectingErrors(spec.Hooks?.Poststop, "poststop", state))
                            Logging.Log.Warn(e);
                        throw;
                    }
                    var pid = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(pid, record.Pid);
                    init.Channel.Send(InitMessage.HooksDone, pid);
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

    private static void WriteOomScoreAdj(int pid, int adj)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", adj.ToString());
        }
        catch (IOException e)
        {
            throw new RuntimeException($"process.oomScoreAdj: write /proc/{pid}/oom_score_adj: {e.Message}");
        }
    }

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
