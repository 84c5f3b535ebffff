using Runtime.Linux;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Init;

/// <summary>A process started in a running container (`exec`): the constructor stage already joined
/// every namespace of the container's init; only the process's own attributes remain.</summary>
internal static class ExecInit
{
    public static void Run(InitChannel channel, InitOptions o, Seccomp.CompiledFilter? filter)
    {
        var process = o.Process ?? throw new RuntimeException("exec: no process given");
        channel.Stage("exec init: process attributes");
        using var proc = ProcFs.Open("/proc");
        Security.AppArmor.ApplyOnExec(proc, process.ApparmorProfile, process.NoNewPrivileges, o.AppArmorEnabled);
        var seccomp = new SeccompStep(filter, process, proc, o.SelinuxEnabled);
        ProcessSetup.SetRlimits(process.Rlimits);
        ProcessAttributes.SetScheduler(process.Scheduler);
        ProcessAttributes.SetIoPriority(process.IoPriority);
        ProcessSetup.SetUserAndCapabilities(process.User, process.Capabilities, seccomp.KeepSysAdmin);
        ProcessSetup.SetNoNewPrivileges(process.NoNewPrivileges);
        if (process.User?.Umask is { } umask)
            Libc.Umask(umask);
        if (process.Terminal)
        {
            Libc.Setsid(); // a new session, so the pty can become our controlling terminal
            Terminal.Pty.Setup(o.ConsoleSocketFd, process.ConsoleSize, mountConsole: false);
        }
        ProcessSetup.CompleteEnv(process, 0);
        ProcessSetup.EnterCwd(process.Cwd);
        var path = ProcessSetup.LookPath(process);
        ProcessSetup.CloseFdsOnExec(o.PreserveFds);
        seccomp.LoadBeforeReady(channel);
        seccomp.LoadLast();
        channel.Send(InitMessage.Exec);
        ProcessSetup.Exec(path, process);
    }
}
