using Runtime.Linux;

namespace Runtime;

internal static class Program
{
    private static int Main(string[] args)
    {
        // When the constructor stage took over an init socket, this process is a container's init
        // (or an exec'd process) already inside its namespaces: no CLI parsing on that path.
        // Non-dumpable while we hold host fds: a container process can neither ptrace us nor open
        // /proc/<our pid>/fd/* (an init or exec'd process is visible inside the container).
        // execve of the container's program makes it dumpable again, as it should.
        Libc.Prctl(Libc.PR_SET_DUMPABLE, 0, 0, 0, 0);
        int initPipe = NativeStage.InitPipe();
        if (initPipe >= 0)
            return Init.InitMain.Run(initPipe);
        return Cli.RuntimeCli.Run(args);
    }
}
