using Runtime.Linux;

namespace Runtime;

internal static class Program
{
    private static int Main(string[] args)
    {
        // When the constructor stage took over an init socket, this process is a container's init
        // (or an exec'd process) already inside its namespaces: no CLI parsing on that path.
        int initPipe = NativeStage.InitPipe();
        if (initPipe >= 0)
            return Init.InitMain.Run(initPipe);
        return Cli.RuntimeCli.Run(args);
    }
}
