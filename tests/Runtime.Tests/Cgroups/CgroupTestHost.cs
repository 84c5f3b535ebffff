using System.Diagnostics;
using NUnit.Framework;
using Runtime.Cgroups;

using static Runtime.Tests.Cgroups.CgroupTestHost;

namespace Runtime.Tests.Cgroups;

/// <summary>
/// Helpers for tests against this host's real cgroups: unique names ("/runtime-test-&lt;guid&gt;") so a test never
/// touches another cgroup, teardown that kills what is left inside and removes the name from every mounted
/// hierarchy (written independently of the code under test), and processes parked until they are moved in.
/// </summary>
internal static class CgroupTestHost
{
    public static CgroupLayout Layout { get; } = CgroupLayout.Detect();

    public static string NewName() => "runtime-test-" + Guid.NewGuid().ToString("N");

    public static IEnumerable<string> Mounts =>
        Layout.V1Hierarchies.Select(h => h.MountPoint).Concat(Layout.UnifiedMountPoint is { } u ? [u] : []);

    /// <summary>Every directory named <paramref name="name"/> directly below a cgroup mount.</summary>
    public static List<string> DirsNamed(string name) =>
        Mounts.Select(m => Path.Combine(m, name)).Where(Directory.Exists).ToList();

    public static void RequireRoot()
    {
        if (Environment.UserName != "root") Assert.Ignore("needs root for real cgroups");
    }

    /// <summary>Kills everything in, thaws, and removes /&lt;name&gt; in every hierarchy; never throws on what is already gone.</summary>
    public static void Remove(string name)
    {
        foreach (var dir in DirsNamed(name))
        {
            for (int attempt = 0; attempt < 200 && Directory.Exists(dir); attempt++)
            {
                Thaw(dir);
                foreach (var pid in ProcsBelow(dir))
                    try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (Exception) { /* gone already */ }
                RemoveBottomUp(dir);
                if (Directory.Exists(dir)) Thread.Sleep(10);
            }
        }
    }

    private static void Thaw(string dir)
    {
        foreach (var sub in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Prepend(dir))
        {
            try { if (File.Exists(Path.Combine(sub, "freezer.state"))) File.WriteAllText(Path.Combine(sub, "freezer.state"), "THAWED"); } catch (IOException) { }
            try { if (File.Exists(Path.Combine(sub, "cgroup.freeze"))) File.WriteAllText(Path.Combine(sub, "cgroup.freeze"), "0"); } catch (IOException) { }
        }
    }

    public static List<int> ProcsBelow(string dir)
    {
        var pids = new List<int>();
        if (!Directory.Exists(dir)) return pids;
        foreach (var sub in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Prepend(dir))
        {
            try
            {
                pids.AddRange(File.ReadAllLines(Path.Combine(sub, "cgroup.procs")).Where(l => l.Length > 0).Select(int.Parse));
            }
            catch (IOException) { }
        }
        return pids;
    }

    private static void RemoveBottomUp(string dir)
    {
        try
        {
            foreach (var sub in Directory.EnumerateDirectories(dir)) RemoveBottomUp(sub);
            Directory.Delete(dir, recursive: false);
        }
        catch (IOException) { }
    }

    public static string Read(string path) => File.ReadAllText(path).Trim();

    /// <summary>
    /// Removes cgroups a killed test run left behind: only our own names (runtime-test-&lt;32 hex&gt;), only empty ones
    /// (rmdir refuses anything else), only ones older than ten minutes (no live test keeps one that long).
    /// </summary>
    public static void SweepStale()
    {
        foreach (var mount in Mounts)
            foreach (var dir in Directory.EnumerateDirectories(mount, "runtime-test-*"))
            {
                var suffix = Path.GetFileName(dir)["runtime-test-".Length..];
                if (suffix.Length != 32 || !suffix.All(Uri.IsHexDigit)) continue;
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) < TimeSpan.FromMinutes(10)) continue;
                if (ProcsBelow(dir).Count == 0) RemoveBottomUp(dir);
            }
    }
}

/// <summary>Once before the cgroup tests: clear what an interrupted earlier run could not.</summary>
[SetUpFixture]
public sealed class CgroupTestSetUp
{
    [OneTimeSetUp]
    public void SweepStaleCgroups()
    {
        if (Environment.UserName == "root") CgroupTestHost.SweepStale();
    }
}

/// <summary>A `sh` parked on `read` so a test can move it into a cgroup before it runs <c>then</c>.</summary>
public sealed class ParkedProcess : IDisposable
{
    private readonly System.Diagnostics.Process process;

    public ParkedProcess(string then)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "read x; " + then])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        process = System.Diagnostics.Process.Start(psi)!;
    }

    public int Pid => process.Id;

    /// <summary>Lets the shell go on to <c>then</c> (it is in whatever cgroup it was moved to by now).</summary>
    public void Release()
    {
        process.StandardInput.WriteLine("go");
        process.StandardInput.Flush();
    }

    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

    public bool HasExited => process.HasExited;

    public string Output()
    {
        process.WaitForExit(TimeSpan.FromSeconds(10));
        return process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
    }

    public void Dispose()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit(TimeSpan.FromSeconds(5));
        process.Dispose();
    }
}

/// <summary>Tests on this host's real cgroups: each works in its own /runtime-test-&lt;guid&gt; in every
/// hierarchy, parks its processes, and removes all of it in teardown, whatever happened.</summary>
public abstract class HostCgroupTest
{
    protected string name = "";
    protected readonly List<string> warnings = [];
    protected readonly List<ParkedProcess> processes = [];

    [SetUp]
    public void SetUpHostCgroup()
    {
        RequireRoot();
        name = NewName();
        warnings.Clear();
    }

    [TearDown]
    public void TearDownHostCgroup()
    {
        Remove(name);
        foreach (var p in processes) p.Dispose();
        processes.Clear();
        Assert.That(DirsNamed(name), Is.Empty, "teardown left cgroups behind");
    }
}
