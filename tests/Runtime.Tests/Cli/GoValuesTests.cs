using NUnit.Framework;
using Runtime.Cli;

namespace Runtime.Tests.Cli;

/// <summary>The value syntaxes of Go's strconv/time and docker's go-units, as runc's flags take them.</summary>
public class GoValuesTests
{
    [TestCase("0", 0L)]
    [TestCase("42", 42L)]
    [TestCase("-7", -7L)]
    [TestCase("+7", 7L)]
    [TestCase("0x1F", 31L)]
    [TestCase("0o17", 15L)]
    [TestCase("017", 15L)]
    [TestCase("0b101", 5L)]
    [TestCase("1_000", 1000L)]
    [TestCase("0x_ff", 255L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    [TestCase("-9223372036854775808", long.MinValue)]
    public void ParseInt(string s, long expected)
    {
        Assert.That(GoValues.ParseInt(s, out var error), Is.EqualTo(expected));
        Assert.That(error, Is.Null);
    }

    [TestCase("", "parse error")]
    [TestCase("x", "parse error")]
    [TestCase("08", "parse error")]
    [TestCase("0x", "parse error")]
    [TestCase("1__0", "parse error")]
    [TestCase("_1", "parse error")]
    [TestCase("1_", "parse error")]
    [TestCase("1.5", "parse error")]
    [TestCase("9223372036854775808", "value out of range")]
    public void ParseIntErrors(string s, string cause)
    {
        Assert.That(GoValues.ParseInt(s, out var error), Is.Null);
        Assert.That(error, Is.EqualTo(cause));
    }

    [TestCase("0", 0L)]
    [TestCase("5s", 50_000_000L)]
    [TestCase("1m30s", 900_000_000L)]
    [TestCase("100ms", 1_000_000L)]
    [TestCase("1.5h", 54_000_000_000L)]
    [TestCase("2h45m", 99_000_000_000L)]
    [TestCase("300us", 3_000L)]
    [TestCase("300µs", 3_000L)]
    [TestCase(".5s", 5_000_000L)]
    [TestCase("1.s", 10_000_000L)]
    [TestCase("-1s", -10_000_000L)]
    public void ParseDuration(string s, long ticks) =>
        Assert.That(GoValues.ParseDuration(s, out _), Is.EqualTo(TimeSpan.FromTicks(ticks)));

    [TestCase("", "invalid duration \"\"")]
    [TestCase("5", "missing unit in duration \"5\"")]
    [TestCase("5d", "unknown unit \"d\" in duration \"5d\"")]
    [TestCase("s", "invalid duration \"s\"")]
    [TestCase(".s", "invalid duration \".s\"")]
    [TestCase("3000000h", "invalid duration \"3000000h\"")]
    public void ParseDurationErrors(string s, string message)
    {
        Assert.That(GoValues.ParseDuration(s, out var error), Is.Null);
        Assert.That(error, Is.EqualTo(message));
    }

    [TestCase("4096", 4096L)]
    [TestCase("512m", 512L << 20)]
    [TestCase("512M", 512L << 20)]
    [TestCase("1g", 1L << 30)]
    [TestCase("1GiB", 1L << 30)]
    [TestCase("1gb", 1L << 30)]
    [TestCase("2 k", 2048L)]
    [TestCase("1.5g", 1610612736L)]
    [TestCase("10b", 10L)]
    [TestCase("1t", 1L << 40)]
    [TestCase("1p", 1L << 50)]
    public void ParseRamSize(string s, long bytes) => Assert.That(GoValues.ParseRamSize(s, out _), Is.EqualTo(bytes));

    [TestCase("")]
    [TestCase("-1")]
    [TestCase("1x")]
    [TestCase("1.2.3")]
    [TestCase("1.")]
    [TestCase(".5g")]
    [TestCase("1gg")]
    [TestCase("1  g")]
    public void ParseRamSizeErrors(string s)
    {
        Assert.That(GoValues.ParseRamSize(s, out var error), Is.Null);
        Assert.That(error, Is.EqualTo($"invalid size: '{s}'"));
    }

    [Test]
    public void ParseRamSizeOutOfRange()
    {
        Assert.That(GoValues.ParseRamSize("9000000p", out var error), Is.Null);
        Assert.That(error, Is.EqualTo("size out of range: '9000000p'"));
    }

    [TestCase("1", true)]
    [TestCase("t", true)]
    [TestCase("T", true)]
    [TestCase("TRUE", true)]
    [TestCase("true", true)]
    [TestCase("True", true)]
    [TestCase("0", false)]
    [TestCase("f", false)]
    [TestCase("F", false)]
    [TestCase("FALSE", false)]
    [TestCase("false", false)]
    [TestCase("False", false)]
    [TestCase("yes", null)]
    [TestCase("tRUE", null)]
    [TestCase("", null)]
    public void ParseBool(string s, bool? expected) => Assert.That(GoValues.ParseBool(s), Is.EqualTo(expected));
}
