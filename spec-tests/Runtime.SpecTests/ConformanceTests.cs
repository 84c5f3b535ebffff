using System.Text.Json.Nodes;
using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>Checks of the OCI runtime-tools validation suite that CI cannot fetch, carried here
/// (docs/conformance.md lists them): the ones runc fails.</summary>
public class ConformanceTests : SpecTest
{
    [Test]
    public void ASeccompProfileThatBlocksGetcwdDoesNotStopTheRuntime()
    {
        // linux_seccomp: the profile denies getcwd; the runtime must load it after its own last use.
        var b = Bundle("pwd; echo ran; grep Seccomp: /proc/self/status").Edit(c => c["linux"]!["seccomp"] = JsonNode.Parse(
            """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}"""));
        var output = Inside(b);
        Assert.That(output, Does.Contain("ran"));
        Assert.That(output, Does.Contain("Seccomp:\t2"), "the filter is in force");
        Assert.That(output.Split('\n')[0].Trim(), Is.Empty.Or.Not.StartWith("/"), "pwd cannot learn the cwd through getcwd");
    }

    [Test]
    public void AMountLabelIsIgnoredWithoutSELinux()
    {
        // linux_mount_label: runc passes context= to the kernel (EINVAL without SELinux); crun and we ignore it.
        var output = Inside(Bundle("grep ' /tmp ' /proc/mounts").LinuxField("mountLabel", "\"system_u:object_r:container_file_t:s0:c1,c2\"")
            .AddMount("/tmp", "tmpfs", "tmpfs", "nosuid"));
        Assert.That(output, Does.Contain("tmpfs /tmp tmpfs"));
        Assert.That(output, Does.Not.Contain("context="));
    }
}
