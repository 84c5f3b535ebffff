using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>config.md "Hostname", "Domainname" and config-linux.md "Sysctl": set inside the
/// container's namespaces only; anything that would touch the host is refused.</summary>
[TestFixture]
public class HostnameSysctlTests : SpecTest
{
    private static string Host(string file) => File.ReadAllText("/proc/sys/" + file).Trim();

    [Test]
    public void TheHostnameApplies()
    {
        var before = Host("kernel/hostname");
        Assert.That(Inside(Bundle("hostname").Hostname("spec-host")).Trim(), Is.EqualTo("spec-host"));
        Assert.That(Host("kernel/hostname"), Is.EqualTo(before), "the host keeps its name");
    }

    [Test]
    public void TheDomainnameApplies()
    {
        var before = Host("kernel/domainname");
        Assert.That(Inside(Bundle("cat /proc/sys/kernel/domainname").Domainname("spec.example")).Trim(), Is.EqualTo("spec.example"));
        Assert.That(Host("kernel/domainname"), Is.EqualTo(before));
    }

    [Test]
    public void WithoutAHostnameTheUtsNamespaceStartsAsACopy()
    {
        Assert.That(Inside(Bundle("hostname").Hostname(null)).Trim(), Is.EqualTo(Host("kernel/hostname")));
    }

    [TestCase("hostname")]
    [TestCase("domainname")]
    public void SettingANameWithoutAUtsNamespaceIsAnError(string field)
    {
        var b = Bundle().WithoutNamespace("uts").Hostname(null);
        if (field == "hostname") b.Hostname("not-allowed"); else b.Domainname("not.allowed");
        var before = Host("kernel/" + field);
        var id = H.NewId();
        AssertFails(H.Create(b.Write(), id), field, "UTS");
        Assert.That(Host("kernel/" + field), Is.EqualTo(before));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void NetworkSysctlsApplyInTheContainersNetworkNamespace()
    {
        var before = Host("net/ipv4/ip_forward");
        var want = before == "1" ? "0" : "1";
        var output = Inside(Bundle("cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/accept_redirects")
            .Sysctl("net.ipv4.ip_forward", want).Sysctl("net.ipv4.conf.all.accept_redirects", "0"));
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { want, "0" }));
        Assert.That(Host("net/ipv4/ip_forward"), Is.EqualTo(before), "the host's value is untouched");
    }

    [Test]
    public void IpcSysctlsApplyInTheContainersIpcNamespace()
    {
        var before = Host("kernel/msgmax");
        var output = Inside(Bundle("cat /proc/sys/kernel/msgmax /proc/sys/kernel/shm_rmid_forced")
            .Sysctl("kernel.msgmax", "4321").Sysctl("kernel.shm_rmid_forced", "1"));
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "4321", "1" }));
        Assert.That(Host("kernel/msgmax"), Is.EqualTo(before));
    }

    [Test]
    public void ASysctlOutsideAnyNamespaceIsRefused()
    {
        // The requested value is the host's own, so a runtime that wrongly writes it changes nothing.
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Sysctl("vm.swappiness", Host("vm/swappiness")).Write(), id), "linux.sysctl", "vm.swappiness");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ANetworkSysctlWithTheHostsNetworkNamespaceIsRefused()
    {
        var id = H.NewId();
        var b = Bundle().WithoutNamespace("network").Sysctl("net.ipv4.ip_forward", Host("net/ipv4/ip_forward"));
        AssertFails(H.Create(b.Write(), id), "linux.sysctl", "net.ipv4.ip_forward");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void AnUnknownSysctlIsAnErrorNamingIt()
    {
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Sysctl("net.ipv4.no_such_knob", "1").Write(), id), "linux.sysctl", "net.ipv4.no_such_knob", "ENOENT");
        H.AssertNoLeftovers(id);
    }

    [TestCase("net.ipv4/../../kernel/hostname")]
    [TestCase("net..ipv4.ip_forward")]
    public void ASysctlKeyThatClimbsOutIsAnError(string key)
    {
        var before = Host("kernel/hostname");
        var id = H.NewId();
        AssertFails(H.Create(Bundle().Sysctl(key, "evil").Write(), id), "linux.sysctl");
        Assert.That(Host("kernel/hostname"), Is.EqualTo(before));
        H.AssertNoLeftovers(id);
    }
}
