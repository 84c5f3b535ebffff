using Runtime.Linux;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Init;

/// <summary>A process started in a running container (`exec`): the constructor stage already joined
/// every namespace of the container's init; only the process's own attributes remain.</summary>
internal static class ExecInit
{
    public static void Run(InitChannel channel, Spec.Spec spec, InitOptions o, byte[]? seccomp)
    {
        var process = o.Process ?? throw new RuntimeException("exec: no process given");
        ProcessSetup.SetRlimits(process.Rlimits);
        ProcessAttributes.SetScheduler(process.Scheduler);
        ProcessAttributes.SetIoPriority(process.IoPriority);
        ProcessSetup.SetUserAndCapabilities(process.User, process.Capabilities);
        ProcessSetup.SetNoNewPrivileges(process.NoNewPrivileges);
        if (process.User?.Umask is { } umask)
            Libc.Umask(umask);
        if (process.Terminal)
        {
            Libc.Setsid(); // a new session, so the pty can become our controlling terminal
            Terminal.Pty.Setup(o.ConsoleSocketFd, process.ConsoleSize, mountConsole: false);
        }
        ProcessSetup.EnterCwd(process.Cwd);
        var path = ProcessSetup.LookPath(process);
        ProcessSetup.CloseFdsOnExec(o.PreserveFds);
        channel.Send(InitMessage.Exec);
        ProcessSetup.Exec(path, process);
    }
}
