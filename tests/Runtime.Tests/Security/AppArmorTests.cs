using NUnit.Framework;
using Runtime.Linux;
using Runtime.Security;

namespace Runtime.Tests.Security;

/// <summary>AppArmor on this host (off: no apparmor module, no securityfs entry).</summary>
public class AppArmorTests
{
    private static bool HostHasAppArmor => File.Exists("/sys/module/apparmor/parameters/enabled");

    [Test]
    public void DetectionReflectsThisHost()
    {
        Assume.That(HostHasAppArmor, Is.False, "this host has an AppArmor module");
        Assert.That(AppArmor.IsEnabled(), Is.False);
    }

    [Test]
    public void AProfileWithoutAppArmorIsRuncsError()
    {
        Assume.That(AppArmor.IsEnabled(), Is.False, "AppArmor is enabled here");
        using var proc = ProcFs.Open();
        const string expected = "process.apparmorProfile: unable to apply apparmor profile \"runtime-test-profile\": " +
                                "apparmor: config provided but apparmor not supported";
        var e = Assert.Throws<RuntimeException>(() => AppArmor.ApplyOnExec(proc, "runtime-test-profile", false, AppArmor.IsEnabled()))!;
        Assert.That(e.Message, Is.EqualTo(expected));
        e = Assert.Throws<RuntimeException>(() => AppArmor.CheckSupported("runtime-test-profile", AppArmor.IsEnabled()))!;
        Assert.That(e.Message, Is.EqualTo(expected));
    }

    [Test]
    public void NoProfileIsNothingToDo()
    {
        using var proc = ProcFs.Open();
        Assert.DoesNotThrow(() => AppArmor.ApplyOnExec(proc, null, true, appArmorEnabled: false));
        Assert.DoesNotThrow(() => AppArmor.ApplyOnExec(proc, "", false, appArmorEnabled: false));
        Assert.DoesNotThrow(() => AppArmor.CheckSupported(null, appArmorEnabled: false));
    }

    [Test]
    public void TheProfileIsWrittenToThisThreadsExecAttribute()
    {
        // Pretend AppArmor is on: the request must reach this thread's attr file through the
        // verified procfs; with no LSM behind it the kernel itself refuses the write.
        Assume.That(Directory.Exists($"/proc/thread-self/attr/apparmor"), Is.False, "an AppArmor attr directory exists here");
        using var proc = ProcFs.Open();
        var e = Assert.Throws<SyscallException>(() => AppArmor.ApplyOnExec(proc, "runtime-test-profile", false, appArmorEnabled: true))!;
        Assert.That(e.Message, Does.Match($@"write ""exec runtime-test-profile"" to /proc/{Environment.ProcessId}/task/\d+/attr/exec"));
        Assert.That(e.Errno, Is.EqualTo(Errnos.EINVAL));
    }
}
