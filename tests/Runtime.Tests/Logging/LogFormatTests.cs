using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Runtime.Logging;

namespace Runtime.Tests.Logging;

/// <summary>Log lines in logrus's formats, as runc writes them and containerd/conmon read them.</summary>
public class LogFormatTests
{
    private static readonly LocalTime Utc = new(2024, 5, 1, 10, 2, 3, 0);
    private static readonly LocalTime Paris = new(2024, 5, 1, 12, 2, 3, 7200);

    [Test]
    public void JsonLineShape()
    {
        string line = Encoding.UTF8.GetString(LogFormat.Json(LogLevel.Error, "container does not exist", Paris));
        Assert.That(line, Is.EqualTo("{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"2024-05-01T12:02:03+02:00\"}\n"));
    }

    [TestCase(LogLevel.Debug, "debug")]
    [TestCase(LogLevel.Info, "info")]
    [TestCase(LogLevel.Warning, "warning")]
    [TestCase(LogLevel.Error, "error")]
    public void LevelNames(LogLevel level, string name)
    {
        using var doc = JsonDocument.Parse(LogFormat.Json(level, "m", Utc));
        Assert.That(doc.RootElement.GetProperty("level").GetString(), Is.EqualTo(name));
        Assert.That(Encoding.UTF8.GetString(LogFormat.Text(level, "m", Utc)), Does.Contain($" level={name} "));
    }

    [Test]
    public void JsonEscapesAndStaysOneLine()
    {
        string msg = "exec: \"sh\": not found\nin \\ path\t<&> é \u0001";
        byte[] bytes = LogFormat.Json(LogLevel.Error, msg, Utc);
        string line = Encoding.UTF8.GetString(bytes);
        Assert.That(line.IndexOf('\n'), Is.EqualTo(line.Length - 1), "exactly one line");
        using var doc = JsonDocument.Parse(bytes);
        Assert.That(doc.RootElement.GetProperty("msg").GetString(), Is.EqualTo(msg));
        Assert.That(line, Does.Contain("<&> é"), "readable, like Go's encoder");
    }

    [Test]
    public void Rfc3339()
    {
        Assert.That(Utc.ToRfc3339(), Is.EqualTo("2024-05-01T10:02:03Z"));
        Assert.That(Paris.ToRfc3339(), Is.EqualTo("2024-05-01T12:02:03+02:00"));
        Assert.That(new LocalTime(999, 12, 31, 23, 59, 59, -(9 * 3600 + 30 * 60)).ToRfc3339(), Is.EqualTo("0999-12-31T23:59:59-09:30"));
        Assert.That(DateTimeOffset.Parse(Paris.ToRfc3339()), Is.EqualTo(new DateTimeOffset(2024, 5, 1, 12, 2, 3, TimeSpan.FromHours(2))));
    }

    [Test]
    public void NowIsTheLocalWallClock()
    {
        var before = DateTimeOffset.Now;
        var now = LocalTime.Now();
        var parsed = DateTimeOffset.Parse(now.ToRfc3339());
        Assert.That(parsed, Is.EqualTo(before).Within(TimeSpan.FromSeconds(2)));
        Assert.That(parsed.Offset, Is.EqualTo(TimeZoneInfo.Local.GetUtcOffset(parsed)));
    }

    [Test]
    public void TextLineShape()
    {
        Assert.That(Encoding.UTF8.GetString(LogFormat.Text(LogLevel.Error, "container does not exist", Utc)),
            Is.EqualTo("time=\"2024-05-01T10:02:03Z\" level=error msg=\"container does not exist\"\n"));
    }

    [TestCase("plain", "msg=plain")]
    [TestCase("a-b.c_d/e@f^g+h", "msg=a-b.c_d/e@f^g+h")]
    [TestCase("", "msg=")]
    [TestCase("say \"hi\"", "msg=\"say \\\"hi\\\"\"")]
    [TestCase("two\nlines", "msg=\"two\\nlines\"")]
    [TestCase("back\\slash", "msg=\"back\\\\slash\"")]
    [TestCase("tab\there\r", "msg=\"tab\\there\\r\"")]
    [TestCase("bell\u0007\u0001\u007f", "msg=\"bell\\a\\x01\\x7f\"")]
    [TestCase("é ü", "msg=\"é ü\"")]
    public void TextQuotesLikeLogrus(string msg, string expected)
    {
        string line = Encoding.UTF8.GetString(LogFormat.Text(LogLevel.Info, msg, Utc));
        Assert.That(line, Is.EqualTo($"time=\"2024-05-01T10:02:03Z\" level=info {expected}\n"));
    }
}
