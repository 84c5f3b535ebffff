using System.Text.Json;
using Runtime.Init;
using Runtime.Linux;
using Runtime.Namespaces;
using Runtime.Process;
using Runtime.State;
using Runtime.Terminal;

namespace Runtime.Container;

internal sealed record ExecRequest(string Root, string Id, Spec.Process Process, bool Detach = false,
    string? PidFile = null, string? ConsoleSocket = null, int PreserveFds = 0, bool IgnorePaused = false);

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
                (pid, proxyEnd) = StartProcess(r, record);
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
            var options = new InitOptions
            {
                Mode = "exec", Id = record.Id, Bundle = record.Bundle, Rootfs = record.Rootfs,
                PreserveFds = preserve, Process = r.Process, ConsoleSocketFd = console?.Fd ?? -1,
            };
            init.Channel.Send(InitMessage.Config, "{}"u8);
            init.Channel.Send(InitMessage.Options, JsonSerializer.SerializeToUtf8Bytes(options, InitJsonContext.Default.InitOptions));
            init.Channel.Expect(InitMessage.Exec, "exec");
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
