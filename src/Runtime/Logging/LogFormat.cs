using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Runtime.Logging;

/// <summary>
/// The two line formats runc writes through logrus, byte for byte where callers look:
/// JSON <c>{"level":"error","msg":"…","time":"2024-05-01T10:00:00+02:00"}</c> (containerd and conmon read
/// the last error's <c>msg</c>), and text <c>time="…" level=error msg="…"</c>.
/// </summary>
public static class LogFormat
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Readable like Go's encoder: non-ASCII and quotes-in-HTML stay as they are; the line is still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Debug => "debug",
        LogLevel.Info => "info",
        LogLevel.Warning => "warning",
        _ => "error",
    };

    /// <summary>One JSON object and a newline, keys in logrus's (sorted) order; <paramref name="stage"/>
    /// is the profiling field of <see cref="Log.Stage"/>.</summary>
    public static byte[] Json(LogLevel level, string msg, LocalTime time, string? stage = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + msg.Length);
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteString("level"u8, LevelName(level));
            w.WriteString("msg"u8, msg);
            if (stage != null)
                w.WriteString("stage"u8, stage);
            w.WriteString("time"u8, time.ToRfc3339());
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>logrus's TextFormatter without colours: <c>time="…" level=error msg="…"</c> and a newline.</summary>
    public static byte[] Text(LogLevel level, string msg, LocalTime time, string? stage = null)
    {
        var sb = new StringBuilder(48 + msg.Length);
        sb.Append("time=");
        AppendValue(sb, time.ToRfc3339());
        sb.Append(" level=").Append(LevelName(level)).Append(" msg=");
        AppendValue(sb, msg);
        if (stage != null)
        {
            sb.Append(" stage=");
            AppendValue(sb, stage);
        }
        sb.Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>logrus quotes a value unless it is made only of [A-Za-z0-9-._/@^+] (and an empty one stays bare).</summary>
    private static void AppendValue(StringBuilder sb, string value)
    {
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/' or '@' or '^' or '+'))
            {
                AppendGoQuoted(sb, value);
                return;
            }
        }
        sb.Append(value);
    }

    /// <summary>Go's %q: backslash escapes for quotes, backslashes and control characters; printable text as is.</summary>
    private static void AppendGoQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                        sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    else if (c is >= '\u0080' and <= '\u009f')
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
