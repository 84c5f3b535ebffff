namespace Runtime.Init;

internal static class InitMain
{
    public static int Run(int initPipe)
    {
        Console.Error.WriteLine("runtime init: not implemented yet");
        return 1;
    }
}
