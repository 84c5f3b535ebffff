using NUnit.Framework;
using Runtime.Linux;
using Runtime.Security;
using Runtime.Spec;

namespace Runtime.Tests.Security;

/// <summary>SELinux on this host (off: no selinuxfs), labels ignored like crun; with SELinux on,
/// the mount label becomes context="..." and the process label goes to attr/exec.</summary>
public class SeLinuxTests
{
    private const string Label = "system_u:object_r:container_file_t:s0:c1,c2";

    [Test]
    public void DetectionReflectsThisHost()
    {
        Assume.That(Directory.Exists("/sys/fs/selinux") || File.ReadAllText("/proc/self/mountinfo").Contains(" - selinuxfs "), Is.False,
            "this host has selinuxfs");
        Assert.That(HostFacts.Current.SELinuxEnabled, Is.False);
    }

    [Test]
    public void WithoutSelinuxLabelsAreIgnored()
    {
        using var proc = ProcFs.Open();
        const bool enabled = false;
        Assert.DoesNotThrow(() => SeLinux.SetExecLabel(proc, "system_u:system_r:container_t:s0", enabled));
        Assert.DoesNotThrow(() => SeLinux.SetKeyCreateLabel(proc, "system_u:system_r:container_t:s0", enabled));
        Assert.That(SeLinux.FormatMountLabel("size=65536k,mode=755", Label, enabled), Is.EqualTo("size=65536k,mode=755"));
        Assert.That(SeLinux.FormatMountLabel(null, Label, enabled), Is.Null);
    }

    [TestCase("size=65536k,mode=755", "size=65536k,mode=755,context=\"" + Label + "\"")]
    [TestCase("", "context=\"" + Label + "\"")]
    [TestCase(null, "context=\"" + Label + "\"")]
    public void WithSelinuxTheMountLabelBecomesTheContextOption(string? data, string expected)
    {
        Assert.That(SeLinux.FormatMountLabel(data, Label, selinuxEnabled: true), Is.EqualTo(expected));
        Assert.That(SeLinux.FormatMountLabel(data, null, selinuxEnabled: true), Is.EqualTo(data), "no label, data unchanged");
    }

    [Test]
    public void AQuoteInTheMountLabelIsRefused()
    {
        var e = Assert.Throws<RuntimeException>(() => SeLinux.FormatMountLabel("", "a\",x=\"b", selinuxEnabled: true))!;
        Assert.That(e.Message, Does.StartWith("linux.mountLabel:"));
    }

    [Test]
    public void TheProcessLabelIsWrittenToThisThreadsExecAttribute()
    {
        Assume.That(HostFacts.Current.SELinuxEnabled, Is.False, "SELinux is enabled here: the write would succeed");
        using var proc = ProcFs.Open();
        var e = Assert.Throws<SyscallException>(() => SeLinux.SetExecLabel(proc, "system_u:system_r:container_t:s0", selinuxEnabled: true))!;
        Assert.That(e.Message, Does.Match($@"^process.selinuxLabel: set the selinux exec label .*: write .* to /proc/{Environment.ProcessId}/task/\d+/attr/exec"));
        Assert.That(e.Errno, Is.EqualTo(Errnos.EINVAL));
    }
}
