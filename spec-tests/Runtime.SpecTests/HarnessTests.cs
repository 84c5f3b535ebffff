using System.Diagnostics;
using Runtime.Testing;

namespace Runtime.SpecTests;

using Process = System.Diagnostics.Process;

/// <summary>The leftover check every fixture relies on must actually see leftovers.</summary>
[TestFixture]
public class HarnessTests : SpecTest
{
    private static Process Spawn(string script, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    private static void Stop(Process p)
    {
        p.Kill(entireProcessTree: true);
        p.WaitForExit();
        p.Dispose();
    }

    [Test]
    public void SeesAProcessCarryingTheMarker()
    {
        var p = Spawn("exec sleep 30", new Dictionary<string, string> { ["SPECTEST"] = H.Token });
        try
        {
            ContainerHarness.WaitUntil(() => File.ReadAllText($"/proc/{p.Id}/cmdline").StartsWith("sleep"), 5, () => "sleep to start");
            Assert.That(H.FindLeftovers(), Has.Some.Contains($"process {p.Id}"));
        }
        finally
        {
            Stop(p);
        }
        Assert.That(H.FindLeftovers(), Is.Empty);
    }

    [Test]
    public void SeesAProcessHoldingAFileOfTheTest()
    {
        var file = Path.Combine(H.Dir, "held");
        File.WriteAllText(file, "");
        var p = Spawn($"exec sleep 30 3<'{file}'");
        try
        {
            ContainerHarness.WaitUntil(() => File.ReadAllText($"/proc/{p.Id}/cmdline").StartsWith("sleep"), 5, () => "sleep to start");
            Assert.That(H.FindLeftovers(), Has.Some.Contains($"process {p.Id}").And.Some.Contains("held"));
        }
        finally
        {
            Stop(p);
        }
    }

    [Test]
    public void SeesAMountUnderTheTestDirectory()
    {
        var dir = H.NewDir("mnt");
        Assert.That(RuntimeBinary.Exec("/bin/mount", new[] { "-t", "tmpfs", "tmpfs", dir }).ExitCode, Is.Zero);
        try
        {
            Assert.That(H.FindLeftovers(), Has.Some.Contains($"mount {dir}"));
        }
        finally
        {
            RuntimeBinary.Exec("/bin/umount", new[] { dir });
        }
        Assert.That(H.FindLeftovers(), Is.Empty);
    }

    [Test]
    public void SeesAStateDirectoryOfAnId()
    {
        var id = H.NewId();
        var dir = Path.Combine(H.StateRoot, id);
        Directory.CreateDirectory(dir);
        Assert.That(H.FindLeftovers(), Has.Some.Contains(dir));
        Directory.Delete(dir);
        Assert.That(H.FindLeftovers(), Is.Empty);
    }
}
