namespace Runtime.Logging;

/// <summary>logrus's levels as runc uses them; the names are what the log lines carry.</summary>
public enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}
