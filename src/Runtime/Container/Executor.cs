using System.Text.Json;
using Runtime.Cgroups;
using Runtime.Init;
using Runtime.Spec;
using Runtime.Linux;
using Runtime.Namespaces;
using Runtime.Process;
using Runtime.State;
using Runtime.Terminal;

namespace Runtime.Container;

internal sealed record ExecRequest(string Root, string Id, Spec.Process Process, bool Detach = false,
    string? PidFile = null, string? ConsoleSocket = null, int PreserveFds = 0, bool IgnorePaused = false,
    Spec.LinuxSeccomp? Seccomp = null);

/// <summary>`exec`: one more process in a running container. The constructor stage joins every
/// namespace of the container's init; the container's lock is held only until the process runs, so
/// a foreground exec never blocks `delete`.</summary>
internal static class Executor
{

    public static int Exec(ExecRequest r)
    {
        int pid, proxyEnd;
        int initPidfd;
        ContainerRecord record;
        Logging.Log.Stage("exec: read state");
        using (var dir = new StateStore(r.Root).Open(r.Id))
        {
            record = dir.Read();
            var status = ContainerStatus.Of(record, dir);
            if (status == ContainerStatus.Stopped)
                throw new RuntimeException("cannot exec in a stopped container");
            if (status == ContainerStatus.Paused && !r.IgnorePaused)
                throw new RuntimeException("cannot exec in a paused container (use --ignore-paused to override)");
            if (status is not (ContainerStatus.Running or ContainerStatus.Created or ContainerStatus.Paused))
                throw new RuntimeException($"cannot exec in a container in the {status} state");
            // Pin the init: if it exits (or its pid is reused) while we join, we notice instead of joining a stranger.
            initPidfd = Libc.PidfdOpen(record.Pid);
            if (initPidfd == -1 || !ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
                throw new RuntimeException("cannot exec in a stopped container");
            try
            {
                if (!r.Detach)
                    Libc.Check(Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
                (pid, proxyEnd) = StartProcess(r with { Seccomp = r.Seccomp ?? record.Seccomp }, record);
            }
            finally
            {
                Libc.Close(initPidfd);
            }
        }
        if (!string.IsNullOrEmpty(r.PidFile))
            PidFile.Write(r.PidFile, pid);
        if (r.Detach)
            return 0;
        using var proxy = proxyEnd >= 0 ? new TtyProxy(proxyEnd) : null;
        if (proxyEnd >= 0) Libc.Close(proxyEnd);
        Logging.Log.Stage("exec: process runs");
        int code = Foreground.Wait(pid, sig => Libc.Kill(pid, sig));
        proxy?.Dispose();
        return code;
    }

    /// <returns>The process's host pid, and our end of the terminal socket when we proxy its tty (else -1).</returns>
    private static (int Pid, int ProxyEnd) StartProcess(ExecRequest r, ContainerRecord record)
    {
        int preserve = r.PreserveFds;
        int ours = -1, theirs = -1;
        if (r.Process.Terminal && !r.Detach && string.IsNullOrEmpty(r.ConsoleSocket))
            (ours, theirs) = ConsoleSocket.Pair();
        using var console = ConsoleSocket.Connect(r.ConsoleSocket, r.Process.Terminal, preserve, theirs);
        if (theirs >= 0) Libc.Close(theirs);
        using var init = InitProcess.Start(NamespacePlan.ForExec(record.Pid), preserve, null, null, beforeBootstrap: null);
        try
        {
            // Joined while the process's .NET runtime starts (the kernel's wait, see CgroupWarmup, overlaps
            // it); the process waits for its options, sent after, so it runs nothing of its own outside.
            if (record.Cgroup != null)
            {
                Logging.Log.Stage("exec: join cgroup");
                CgroupManager.FromSavedPaths(record.Cgroup, Logging.Log.Warn).Join(init.Pid);
            }
            var options = new InitOptions
            {
                Mode = "exec", Debug = Logging.Log.IsDebugEnabled, Id = record.Id, Bundle = record.Bundle, Rootfs = record.Rootfs,
                PreserveFds = preserve, Process = r.Process, ConsoleSocketFd = console?.Fd ?? -1, HasSeccomp = r.Seccomp != null,
                AppArmorEnabled = HostFacts.Current.AppArmorEnabled, SelinuxEnabled = HostFacts.Current.SELinuxEnabled,
            };
            Logging.Log.Stage("exec: init's .NET runtime starts");
            init.Channel.Send(InitMessage.Options, JsonSerializer.SerializeToUtf8Bytes(options, InitJsonContext.Default.InitOptions));
            var compiled = r.Seccomp != null ? SeccompSetup.Compile(r.Root, r.Seccomp) : null;
            if (r.Seccomp != null)
                init.Channel.Send(InitMessage.Seccomp, compiled!);
            while (true)
            {
                var msg = init.Channel.Receive() ?? throw new RuntimeException("exec: the process exited during setup");
                if (msg.Type == InitMessage.Exec) break;
                if (msg.Type == InitMessage.SeccompListener)
                    SeccompSetup.ServeListener(init.Channel, msg.Payload, init.Pid, r.Seccomp!,
                        new OciState { Id = record.Id, Pid = record.Pid, Bundle = record.Bundle, Status = ContainerStatus.Running, Annotations = record.Annotations });
                else if (msg.Type == InitMessage.Error)
                    throw new RuntimeException(System.Text.Encoding.UTF8.GetString(msg.Payload));
                else
                    throw new RuntimeException($"init channel: unexpected message {msg.Type}");
            }
            return (init.Pid, ours);
        }
        catch
        {
            init.Kill();
            if (ours >= 0) Libc.Close(ours);
            throw;
        }
    }
}
