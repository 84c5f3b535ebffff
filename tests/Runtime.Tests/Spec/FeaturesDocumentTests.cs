using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Runtime.Spec;

namespace Runtime.Tests.SpecTests;

/// <summary>`features`: complete (every field runc prints) and truthful (only what is implemented).</summary>
public class FeaturesDocumentTests
{
    private static Features Today() => FeaturesDocument.Build(new FeatureSupport(), new FakeHost(), "0.1.0", "abc123");

    [Test]
    public void VersionsHooksNamespacesAndCapabilities()
    {
        var f = Today();
        Assert.That(f.OciVersionMin, Is.EqualTo("1.0.0"));
        Assert.That(f.OciVersionMax, Is.EqualTo("1.2.0"));
        Assert.That(f.Hooks, Is.EqualTo(new[] { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" }));
        Assert.That(f.Linux!.Namespaces, Is.EqualTo(new[] { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" }));
        Assert.That(f.Linux.Capabilities, Has.Count.EqualTo(41));
        Assert.That(f.Linux.Capabilities![0], Is.EqualTo("CAP_CHOWN"));
        Assert.That(f.Linux.Capabilities[40], Is.EqualTo("CAP_CHECKPOINT_RESTORE"));
    }

    [Test]
    public void MountOptionsIncludeTheRecursiveOnesAndAreSorted()
    {
        var options = Today().MountOptions!;
        Assert.That(options, Is.SupersetOf(new[] { "rro", "rrw", "rnosuid", "rnodev", "rnoexec", "rbind", "rprivate", "ro", "nosymfollow" }));
        Assert.That(options, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public void NothingUnimplementedIsClaimed()
    {
        var linux = Today().Linux!;
        Assert.That(linux.Cgroup!.V1, Is.False);
        Assert.That(linux.Cgroup.V2, Is.False);
        Assert.That(linux.Cgroup.Systemd, Is.False);
        Assert.That(linux.Seccomp!.Enabled, Is.False);
        Assert.That(linux.Seccomp.Actions, Is.Null);
        Assert.That(linux.Apparmor!.Enabled, Is.False);
        Assert.That(linux.Selinux!.Enabled, Is.False);
        Assert.That(linux.IntelRdt!.Enabled, Is.False);
        Assert.That(linux.MountExtensions!.Idmap!.Enabled, Is.False);
        Assert.That(linux.NetDevices!.Enabled, Is.False);
    }

    [Test]
    public void ClaimsFollowTheSupportAndForLsmsTheHost()
    {
        var seccomp = new SeccompSupport(true, ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"], ["SCMP_CMP_EQ"], ["SCMP_ARCH_X86_64"],
            ["SECCOMP_FILTER_FLAG_LOG"], ["SECCOMP_FILTER_FLAG_LOG"], "2.5.4");
        var all = new FeatureSupport
        {
            CgroupV1 = true, CgroupV2 = true, CgroupRdma = true, AppArmor = true, SELinux = true, IdmapMounts = true, SeccompProvider = () => seccomp,
            PotentiallyUnsafeConfigAnnotations = ["org.example."],
        };
        var onPlainHost = FeaturesDocument.Build(all, new FakeHost(), "0.1.0", "abc");
        Assert.That(onPlainHost.Linux!.Apparmor!.Enabled, Is.False, "no AppArmor on the host: a profile cannot be applied");
        var f = FeaturesDocument.Build(all, new FakeHost { AppArmor = true, SELinux = true }, "0.1.0", "abc");
        Assert.That(f.Linux!.Cgroup!.V1, Is.True);
        Assert.That(f.Linux.Cgroup.Rdma, Is.True);
        Assert.That(f.Linux.Apparmor!.Enabled, Is.True);
        Assert.That(f.Linux.Selinux!.Enabled, Is.True);
        Assert.That(f.Linux.MountExtensions!.Idmap!.Enabled, Is.True);
        Assert.That(f.Linux.Seccomp!.Enabled, Is.True);
        Assert.That(f.Linux.Seccomp.SupportedFlags, Is.EqualTo(new[] { "SECCOMP_FILTER_FLAG_LOG" }));
        Assert.That(f.Annotations!["io.github.seccomp.libseccomp.version"], Is.EqualTo("2.5.4"));
        Assert.That(f.PotentiallyUnsafeConfigAnnotations, Is.EqualTo(new[] { "org.example." }));
    }

    [Test]
    public void AnnotationsNameOurVersionAndCommit()
    {
        var a = Today().Annotations!;
        Assert.That(a["org.opencontainers.runtime.version"], Is.EqualTo("0.1.0"));
        Assert.That(a["org.opencontainers.runtime.commit"], Is.EqualTo("abc123"));
        Assert.That(a["org.opencontainers.runtime.checkpoint.enabled"], Is.EqualTo("false"));
    }

    [Test]
    public void PrintedLikeRuncWithFourSpacesAndANewline()
    {
        var json = FeaturesDocument.ToJson(Today());
        Assert.That(json, Does.StartWith("{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": \"1.2.0\",\n"));
        Assert.That(json, Does.EndWith("}\n"));
        Assert.That(json, Does.Contain("\n        \"namespaces\": [\n            \"cgroup\","));
        Assert.That(json, Does.Contain("\"potentiallyUnsafeConfigAnnotations\": []"));
    }

    [Test]
    public void HasEveryFieldRuncPrints()
    {
        var runc = new[] { "/usr/sbin/runc", "/usr/bin/runc" }.FirstOrDefault(File.Exists);
        if (runc == null)
            Assert.Ignore("runc is not installed");
        var psi = new ProcessStartInfo(runc!, "features") { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var theirs = JsonDocument.Parse(p.StandardOutput.ReadToEnd()).RootElement;
        p.WaitForExit();
        var ours = JsonDocument.Parse(FeaturesDocument.ToJson(Today())).RootElement;
        foreach (var path in Paths(theirs, ""))
            Assert.That(Find(ours, path), Is.True, $"runc prints {path}; we do not");
        Assert.That(Find(ours, "linux.mountExtensions.idmap.enabled"), Is.True, "CRI-O reads it");
    }

    /// <summary>Object member paths (arrays and seccomp details aside: ours are empty while disabled).</summary>
    private static IEnumerable<string> Paths(JsonElement e, string prefix)
    {
        if (e.ValueKind != JsonValueKind.Object || prefix is "annotations" or "linux.seccomp")
            yield break;
        foreach (var p in e.EnumerateObject())
        {
            var path = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            yield return path;
            foreach (var inner in Paths(p.Value, path))
                yield return inner;
        }
    }

    private static bool Find(JsonElement e, string path)
    {
        foreach (var part in path.Split('.'))
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e))
                return false;
        return true;
    }

    [Test]
    public void TodaysDocumentUsesTheBinarysVersion() =>
        Assert.That(FeaturesDocument.Build().Annotations!["org.opencontainers.runtime.version"], Is.EqualTo(Runtime.Cli.VersionInfo.Version));
}
