using NUnit.Framework;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Tests.SpecTests;

public class CapabilitiesTests
{
    [Test]
    public void NamesAndNumbersBothWays()
    {
        Assert.That(Capabilities.Names, Has.Length.EqualTo(41));
        for (int i = 0; i < Capabilities.Names.Length; i++)
        {
            Assert.That(Capabilities.ByName(Capabilities.Names[i]), Is.EqualTo(i));
            Assert.That(Capabilities.NameOf(i), Is.EqualTo(Capabilities.Names[i]));
        }
        Assert.That(Capabilities.ByName("CAP_CHOWN"), Is.EqualTo(0));
        Assert.That(Capabilities.ByName("CAP_SYS_ADMIN"), Is.EqualTo(21));
        Assert.That(Capabilities.ByName("CAP_AUDIT_READ"), Is.EqualTo(37));
        Assert.That(Capabilities.ByName("CAP_CHECKPOINT_RESTORE"), Is.EqualTo(40));
        Assert.That(Capabilities.MaxKnown, Is.EqualTo(40));
    }

    [TestCase("CAP_FOO")]
    [TestCase("cap_chown")]
    [TestCase("CHOWN")]
    [TestCase("")]
    [TestCase(null)]
    public void UnknownNames(string? name) => Assert.That(Capabilities.ByName(name), Is.Null);

    [Test]
    public void UnknownNumbers()
    {
        Assert.That(Capabilities.NameOf(-1), Is.Null);
        Assert.That(Capabilities.NameOf(41), Is.Null);
    }

    [Test]
    public void LastCapIsTheKernels()
    {
        int kernel = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim());
        Assert.That(Capabilities.LastCap, Is.EqualTo(kernel));
        Assert.That(Capabilities.IsOnHost(kernel), Is.True);
        Assert.That(Capabilities.IsOnHost(kernel + 1), Is.False);
    }

    [TestCase("40\n", 40)]
    [TestCase("37", 37)]
    [TestCase("", 40)]
    [TestCase(null, 40)]
    [TestCase("-3", 40)]
    public void LastCapFallsBackToOurTable(string? text, int expected) => Assert.That(Capabilities.ParseLastCap(text), Is.EqualTo(expected));
}

public class SemVerTests
{
    [TestCase("1.0.0-alpha", "1.0.0-alpha.1")]
    [TestCase("1.0.0-alpha.1", "1.0.0-alpha.beta")]
    [TestCase("1.0.0-alpha.beta", "1.0.0-beta")]
    [TestCase("1.0.0-beta.2", "1.0.0-beta.11")]
    [TestCase("1.0.0-rc.1", "1.0.0")]
    [TestCase("1.0.0", "1.0.2-dev")]
    [TestCase("1.0.2-dev", "1.0.2")]
    [TestCase("1.2.0", "1.10.0")]
    public void Ordering(string lower, string higher)
    {
        Assert.That(SemVer.TryParse(lower, out var a), Is.True);
        Assert.That(SemVer.TryParse(higher, out var b), Is.True);
        Assert.That(a.CompareTo(b), Is.LessThan(0));
        Assert.That(b.CompareTo(a), Is.GreaterThan(0));
    }

    [Test]
    public void BuildMetadataDoesNotOrder()
    {
        SemVer.TryParse("1.2.0+a", out var a);
        SemVer.TryParse("1.2.0+b", out var b);
        Assert.That(a.CompareTo(b), Is.EqualTo(0));
    }

    [TestCase("1")]
    [TestCase("1.2")]
    [TestCase("1.2.3.4")]
    [TestCase("1.02.3")]
    [TestCase("1.2.3-")]
    [TestCase("1.2.3-01")]
    [TestCase("1.2.3+")]
    [TestCase("1.2.3-a..b")]
    [TestCase("-1.2.3")]
    [TestCase(" 1.2.3")]
    [TestCase("99999999999999999999.0.0")]
    public void Invalid(string text) => Assert.That(SemVer.TryParse(text, out _), Is.False);
}
