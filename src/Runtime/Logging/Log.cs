namespace Runtime.Logging;

/// <summary>Placeholder until the logging layer lands: warnings to stderr.</summary>
internal static class Log
{
    public static void Warn(string msg) => Console.Error.WriteLine($"runtime: warning: {msg}");
    public static void Debug(string msg) { }
}
