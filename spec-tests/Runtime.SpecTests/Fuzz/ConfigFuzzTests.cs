using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.SpecTests.Fuzz;

/// <summary>
/// Thousands of mutated configs through `create`: each must end in a clear error (exit 1, one
/// message, no stack trace) or a container that is then deleted; never a crash, a hang, or a
/// leftover state directory, process or mount. FUZZ_ITERATIONS sets the count (`make fuzz` runs long).
/// </summary>
[Category("Fuzz")]
public class ConfigFuzzTests
{
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) ? n : 600;

    [Test]
    public void MutatedConfigsFailCleanlyOrRun()
    {
        var work = Path.Combine(Path.GetTempPath(), "runtime-fuzz-" + Guid.NewGuid().ToString("N"));
        var root = Path.Combine(work, "state");
        var bundle = Path.Combine(work, "bundle");
        Directory.CreateDirectory(bundle);
        // A private copy: mutated mounts and cwds create directories in the rootfs.
        var rootfs = Path.Combine(work, "rootfs");
        var cp = RuntimeBinary.Exec("/bin/cp", new[] { "-a", Path.Combine(RuntimeBinary.RepoRoot, "bundles", "busybox", "rootfs"), rootfs });
        Assert.That(cp.ExitCode, Is.Zero, cp.ToString());
        var seedConfig = File.ReadAllText(Path.Combine(RuntimeBinary.RepoRoot, "bundles", "busybox", "config.json"))
            .Replace("\"path\": \"rootfs\"", $"\"path\": \"{rootfs}\"");
        var mountsBefore = File.ReadAllLines("/proc/self/mountinfo").Length;
        var initsBefore = RuntimeInits();
        int seedBase = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 1;
        var problems = new List<string>();
        int ran = 0, refused = 0;
        try
        {
            for (int i = 0; i < Iterations && problems.Count < 10; i++)
            {
                int seed = seedBase + i;
                var config = new ConfigMutator(seed).Mutate(seedConfig);
                File.WriteAllText(Path.Combine(bundle, "config.json"), config);
                var id = $"fz{seed}";
                RuntimeBinary.Result r;
                try
                {
                    r = RuntimeBinary.Run(new[] { "--root", root, "create", "--bundle", bundle, id }, timeout: TimeSpan.FromSeconds(20));
                }
                catch (TimeoutException)
                {
                    problems.Add($"seed {seed}: create hung\n{config}");
                    continue;
                }
                if (r.ExitCode == 0)
                {
                    ran++;
                    var d = RuntimeBinary.Run("--root", root, "delete", "--force", id);
                    if (d.ExitCode != 0) problems.Add($"seed {seed}: delete --force failed: {d}");
                }
                else
                {
                    refused++;
                    var err = r.Stderr.Trim();
                    if (r.ExitCode != 1) problems.Add($"seed {seed}: exit {r.ExitCode} (crash?)\n{r}\n{config}");
                    else if (err.Length == 0) problems.Add($"seed {seed}: failed without a message\n{config}");
                    else if (err.Contains("   at ") || err.Contains("Exception")) problems.Add($"seed {seed}: stack trace or exception name shown\n{err}");
                }
                if (Directory.Exists(Path.Combine(root, id)))
                    problems.Add($"seed {seed}: state directory left behind (exit {r.ExitCode})\n{config}");
            }
        }
        finally
        {
            if (Directory.Exists(root))
                foreach (var d in Directory.GetDirectories(root))
                    RuntimeBinary.Run("--root", root, "delete", "--force", Path.GetFileName(d));
            Directory.Delete(work, true);
        }
        // Only inits that appeared during this test count: other work on the machine may run containers.
        // A failed create SIGKILLs its init, which may still be dying: only one that stays is a leak.
        int leakedProcesses = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(3); ; Thread.Sleep(50))
            if ((leakedProcesses = RuntimeInits().Except(initsBefore).Count()) == 0 || DateTime.UtcNow > deadline)
                break;
        TestContext.Out.WriteLine($"{Iterations} configs: {ran} ran, {refused} refused cleanly, {problems.Count} problems");
        Assert.That(problems, Is.Empty, string.Join("\n\n", problems));
        Assert.That(leakedProcesses, Is.Zero, "runtime init processes left behind");
        Assert.That(File.ReadAllLines("/proc/self/mountinfo").Length, Is.EqualTo(mountsBefore), "mounts left behind");
    }

    private static HashSet<string> RuntimeInits() =>
        Directory.GetDirectories("/proc").Where(p => int.TryParse(Path.GetFileName(p), out _))
            .Where(p => { try { return File.ReadAllText(Path.Combine(p, "cmdline")).StartsWith("runtime\0init"); } catch (IOException) { return false; } })
            .Select(Path.GetFileName).ToHashSet()!;
}
