namespace Runtime.Cli;

internal static class RuntimeCli
{
    public static int Run(string[] args)
    {
        if (args.Length == 1 && args[0] == "--version")
        {
            Console.Out.Write(VersionInfo.Text);
            return 0;
        }
        Console.Error.WriteLine("runtime: not implemented yet");
        return 1;
    }
}
