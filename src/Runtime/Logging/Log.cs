using System.Text;
using Runtime.Linux;

namespace Runtime.Logging;

/// <summary>
/// The process-wide logger, set up once from the global flags (<c>--log</c>, <c>--log-format</c>, <c>--debug</c>).
/// Like runc: records go to the --log file (stderr when there is none) in logrus's text or JSON format,
/// the default level is info, --debug lowers it to debug, and an error is also written to stderr as the
/// plain message when the log goes elsewhere, so a person at a terminal sees it. Each record is one
/// write(2) on an O_APPEND descriptor, so lines from concurrent writers never interleave.
/// </summary>
public static class Log
{
    private const int Stderr = 2;

    private static LogLevel _threshold = LogLevel.Info;
    private static bool _json;
    private static int _fd = Stderr;

    public static bool IsDebugEnabled => _threshold <= LogLevel.Debug;

    /// <summary>True when records go to a --log file rather than stderr.</summary>
    public static bool ToFile => _fd != Stderr;

    /// <summary>
    /// Opens the log (O_APPEND|O_CLOEXEC, created 0600: it must never leak into a container or be readable
    /// by others) and selects the format. Throws a <see cref="RuntimeException"/> naming the flag or file;
    /// the logger then still writes to stderr, so that error reaches the user.
    /// </summary>
    public static void Configure(string? path, string format, bool debug)
    {
        bool json = format switch
        {
            "text" or "" => false,
            "json" => true,
            _ => throw new RuntimeException($"invalid log-format: {format}"),
        };
        Reset();
        _json = json;
        _threshold = debug ? LogLevel.Debug : LogLevel.Info;
        if (string.IsNullOrEmpty(path))
            return;
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC | Libc.O_NOCTTY, 0b110_000_000 /* 0600 */);
        if (fd < 0)
            throw new RuntimeException($"cannot open log file {path}: {Errnos.Describe(Libc.LastErrno)}");
        _fd = fd;
    }

    /// <summary>Back to the defaults (stderr, text, info), closing a --log file.</summary>
    public static void Reset()
    {
        if (_fd != Stderr)
            Libc.Close(_fd);
        _fd = Stderr;
        _json = false;
        _threshold = LogLevel.Info;
    }

    public static void Error(string msg)
    {
        Write(LogLevel.Error, msg);
        if (_fd != Stderr)
            WriteAll(Stderr, Encoding.UTF8.GetBytes(msg + "\n"));
    }

    public static void Warn(string msg) => Write(LogLevel.Warning, msg);
    public static void Info(string msg) => Write(LogLevel.Info, msg);
    public static void Debug(string msg) => Write(LogLevel.Debug, msg);

    /// <summary>
    /// Marks where a stage of the command begins, for profiling (`bench.sh profile`): a debug line whose
    /// "stage" field names it; the stage lasts until the next such line. With --debug every line's time
    /// carries microseconds. Costs nothing without --debug.
    /// </summary>
    public static void Stage(string name)
    {
        if (IsDebugEnabled)
            WriteAll(_fd, Format(LogLevel.Debug, name, LocalTime.Now(precise: true), name));
    }

    /// <summary>A stage that began in another process (the container's init) at <paramref name="unixNanos"/>.</summary>
    public static void StageAt(long unixNanos, string name)
    {
        if (IsDebugEnabled)
            WriteAll(_fd, Format(LogLevel.Debug, name, LocalTime.FromUnixNanos(unixNanos), name));
    }

    private static void Write(LogLevel level, string msg)
    {
        if (level < _threshold)
            return;
        WriteAll(_fd, Format(level, msg, LocalTime.Now(precise: IsDebugEnabled), stage: null));
    }

    private static byte[] Format(LogLevel level, string msg, LocalTime time, string? stage) =>
        _json ? LogFormat.Json(level, msg, time, stage) : LogFormat.Text(level, msg, time, stage);

    // Logging must never turn into a second failure: a full disk or a closed stderr loses the line, nothing more.
    private static unsafe void WriteAll(int fd, byte[] bytes)
    {
        fixed (byte* p = bytes)
        {
            nint done = 0;
            while (done < bytes.Length)
            {
                nint n = Libc.Write(fd, p + done, bytes.Length - done);
                if (n < 0 && Libc.LastErrno == Errnos.EINTR)
                    continue;
                if (n <= 0)
                    return;
                done += n;
            }
        }
    }
}
