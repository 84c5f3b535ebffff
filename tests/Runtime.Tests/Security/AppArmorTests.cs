using NUnit.Framework;
using Runtime.Linux;
using Runtime.Security;
using Runtime.Spec;

namespace Runtime.Tests.Security;

/// <summary>AppArmor on this host (off: no apparmor module).</summary>
public class AppArmorTests
{
    [Test]
    public void DetectionReflectsThisHost()
    {
        Assume.That(File.Exists("/sys/module/apparmor/parameters/enabled"), Is.False, "this host has an AppArmor module");
        Assert.That(HostFacts.Current.AppArmorEnabled, Is.False);
    }

    [Test]
    public void AProfileWithoutAppArmorIsRuncsError()
    {
        using var proc = ProcFs.Open();
        var e = Assert.Throws<RuntimeException>(() => AppArmor.ApplyOnExec(proc, "runtime-test-profile", false, appArmorEnabled: false))!;
        Assert.That(e.Message, Is.EqualTo("process.apparmorProfile: unable to apply apparmor profile \"runtime-test-profile\": " +
                                          "apparmor: config provided but apparmor not supported"));
    }

    [Test]
    public void NoProfileIsNothingToDo()
    {
        using var proc = ProcFs.Open();
        Assert.DoesNotThrow(() => AppArmor.ApplyOnExec(proc, null, true, appArmorEnabled: false));
        Assert.DoesNotThrow(() => AppArmor.ApplyOnExec(proc, "", false, appArmorEnabled: false));
    }

    [Test]
    public void TheProfileIsWrittenToThisThreadsExecAttribute()
    {
        // Pretend AppArmor is on: the request must reach this thread's attr file through the
        // verified procfs; with no LSM behind it the kernel itself refuses the write.
        Assume.That(HostFacts.Current.AppArmorEnabled, Is.False, "AppArmor is enabled here: the write would succeed");
        Assume.That(Directory.Exists("/proc/thread-self/attr/apparmor"), Is.False, "an AppArmor attr directory exists here");
        using var proc = ProcFs.Open();
        var e = Assert.Throws<SyscallException>(() => AppArmor.ApplyOnExec(proc, "runtime-test-profile", false, appArmorEnabled: true))!;
        Assert.That(e.Message, Does.Match($@"write ""exec runtime-test-profile"" to /proc/{Environment.ProcessId}/task/\d+/attr/exec"));
        Assert.That(e.Errno, Is.EqualTo(Errnos.EINVAL));
    }
}
