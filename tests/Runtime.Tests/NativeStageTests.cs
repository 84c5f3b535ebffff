using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.Tests;

/// <summary>The C constructor stage is linked into the published binary and guards its entry.</summary>
public class NativeStageTests
{
    [Test]
    public void VersionPrintsThreeLinesLikeRunc()
    {
        var r = RuntimeBinary.Run("--version");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3), r.ToString());
        Assert.That(lines[0], Does.Match(@"^runtime version \d+\.\d+\.\d+"));
        Assert.That(lines[1], Does.StartWith("commit: "));
        Assert.That(lines[2], Is.EqualTo("spec: 1.2.0"));
    }

    [TestCase("abc")]
    [TestCase("1")]
    [TestCase("999")]
    [TestCase("")]
    public void ConstructorRefusesAnInitPipeThatIsNotAnInheritedSocket(string value)
    {
        var r = RuntimeBinary.Run(new[] { "--version" }, env: new Dictionary<string, string> { ["_RUNTIME_INITPIPE"] = value });
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("is not an inherited socket"));
        Assert.That(r.Stdout, Is.Empty, "the CLI must not run once the constructor refused");
    }
}
