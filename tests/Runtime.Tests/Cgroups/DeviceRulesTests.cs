using NUnit.Framework;
using Runtime.Cgroups.Devices;
using Runtime.Spec;

namespace Runtime.Tests.Cgroups;

public class DeviceRulesTests
{
    internal static DeviceRule Rule(string text, bool allow)
    {
        var parts = text.Split(' ');
        var mm = parts[1].Split(':');
        return new DeviceRule(parts[0][0], mm[0] == "*" ? -1 : long.Parse(mm[0]), mm[1] == "*" ? -1 : long.Parse(mm[1]),
            DeviceRule.ParseAccess(parts[2])!.Value, allow);
    }

    [Test]
    public void SpecEntriesBecomeCgroupRules()
    {
        var rules = DeviceRule.FromSpec(new List<LinuxDeviceCgroup>
        {
            new() { Allow = false, Access = "rwm" },
            new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" },
            new() { Allow = true, Type = "b", Major = 8, Access = "m" },
        });
        Assert.That(rules.Select(r => $"{(r.Allow ? "allow" : "deny")} {r}"),
            Is.EqualTo(new[] { "deny a *:* rwm", "allow c 1:3 rw", "allow b 8:* m" }));
    }

    [TestCase("x", "rwm", "linux.resources.devices[0].type: \"x\" is not a device type")]
    [TestCase("c", "", "linux.resources.devices[0].access: must not be empty")]
    [TestCase("c", "rwx", "linux.resources.devices[0].access: \"rwx\" has letters other than r, w and m")]
    public void BadSpecEntriesNameTheField(string type, string access, string message)
    {
        var e = Assert.Throws<RuntimeException>(() => DeviceRule.FromSpec(new LinuxDeviceCgroup { Type = type, Access = access }, 0));
        Assert.That(e!.Message, Does.StartWith(message));
    }

    [Test]
    public void LaterRulesOverrideEarlierOnesAsInTheKernel()
    {
        var e = DeviceEmulator.FromRules([
            DeviceRule.AllDevices(false),
            Rule("c 1:3 rwm", true),
            Rule("c 1:3 w", false),
            Rule("c 1:5 rw", true),
            Rule("c 1:5 m", true),
        ]);
        Assert.That(e.ToString(), Is.EqualTo("deny all, allow c 1:3 rm, allow c 1:5 rwm"));
    }

    [Test]
    public void AllowAllDropsEveryExceptionAndDenyAllStartsOver()
    {
        var e = DeviceEmulator.FromRules([Rule("c 1:3 rwm", true), DeviceRule.AllDevices(true), Rule("b 8:0 rwm", false)]);
        Assert.That(e.ToString(), Is.EqualTo("allow all, deny b 8:0 rwm"));
        e.Apply(DeviceRule.AllDevices(false), "x");
        Assert.That(e.ToString(), Is.EqualTo("deny all"));
    }

    [Test]
    public void PunchingAHoleIntoAWildcardIsRefused()
    {
        var ex = Assert.Throws<RuntimeException>(() => DeviceEmulator.FromRules([
            DeviceRule.AllDevices(false), Rule("c *:* rwm", true), Rule("c 1:3 w", false)]));
        Assert.That(ex!.Message, Does.StartWith("linux.resources.devices[2]: \"c 1:3 w\" (deny) cannot be applied")
            .And.Contain("\"c *:* rwm\""));
        // Disjoint access is fine: the wildcard grants only mknod.
        Assert.DoesNotThrow(() => DeviceEmulator.FromRules([Rule("c *:* m", true), Rule("c 1:3 rw", false)]));
    }

    [Test]
    public void DevicesListIsReadBack()
    {
        var e = DeviceEmulator.FromList("c 1:3 rwm\nc 136:* rwm\nb *:* m\n");
        Assert.That(e.ToString(), Is.EqualTo("deny all, allow b *:* m, allow c 1:3 rwm, allow c 136:* rwm"));
        Assert.That(DeviceEmulator.FromList("a *:* rwm\n").DefaultAllow, Is.True);
        Assert.That(DeviceEmulator.FromList("").ToString(), Is.EqualTo("deny all"));
        Assert.Throws<FormatException>(() => DeviceEmulator.FromList("c 1:3\n"));
    }

    [Test]
    public void TransitionBetweenAllowListsWritesOnlyTheDifference()
    {
        var current = DeviceEmulator.FromList("c 1:3 rwm\nc 1:5 rwm\n");
        var target = DeviceEmulator.FromRules([DeviceRule.AllDevices(false), Rule("c 1:3 rw", true), Rule("c 1:9 rwm", true)]);
        var writes = current.TransitionTo(target).Select(r => $"{(r.Allow ? "allow" : "deny")} {r}");
        Assert.That(writes, Is.EqualTo(new[] { "deny c 1:3 m", "deny c 1:5 rwm", "allow c 1:9 rwm" }),
            "no deny-all while the container runs");
    }

    [Test]
    public void TransitionFromAllowAllStartsWithTheDisruptiveRule()
    {
        var current = DeviceEmulator.FromList("a *:* rwm\n");
        var target = DeviceEmulator.FromRules([DeviceRule.AllDevices(false), Rule("c 1:3 rwm", true)]);
        Assert.That(current.TransitionTo(target).Select(r => $"{(r.Allow ? "allow" : "deny")} {r}"),
            Is.EqualTo(new[] { "deny a *:* rwm", "allow c 1:3 rwm" }));
        Assert.That(target.Rules().Select(r => r.ToString()), Is.EqualTo(new[] { "c 1:3 rwm" }));
    }
}
