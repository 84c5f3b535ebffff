using NUnit.Framework;

namespace Runtime.Bench.Tests;

public class ReportTests
{
    private static EnvResult Env()
    {
        var env = new EnvResult { Env = "v1ns", Description = "test", Runtimes = ["runtime", "runc", "crun"], Runs = 2, Warmup = 1, BatchRuns = 1, BatchSize = 100, Limits = true };
        var run = env.Op(Suite.Run);
        run.For("runtime").Samples.AddRange([10, 12]);
        run.For("runc").Samples.AddRange([20, 24]);
        run.For("crun").Samples.AddRange([5, 6]);
        var exec = env.Op(Suite.Exec);
        exec.For("runtime").Error = "warm-up: exit status 1: runtime: exec: not implemented yet";
        exec.For("runc").Samples.AddRange([20, 21]);
        exec.For("crun").Samples.AddRange([8, 9]);
        var hwm = env.Op(Suite.InitProcHwm, "MiB", "rss");
        hwm.For("runtime").Samples.AddRange([3.0, 3.0]);
        return env;
    }

    [Test]
    public void WritesTablesTargetsAndPlot()
    {
        var dir = Directory.CreateTempSubdirectory("bench-report-").FullName;
        try
        {
            Assert.That(Report.Write(dir, [Env()]), Is.Zero);
            var md = File.ReadAllText(Path.Combine(dir, "results.md"));
            Assert.That(md, Does.Contain("| run /bin/true | **11.0** [10.0 – 12.0] | **22.0** [20.0 – 24.0] | **5.50** [5.00 – 6.00] | 0.50× | 2.00× |"));
            Assert.That(md, Does.Contain("| exec /bin/true | n/a: warm-up: exit status 1: runtime: exec: not implemented yet |"));
            Assert.That(md, Does.Contain("| `run` ≤ 1.0× crun | 2.00× (11.0 vs 5.50 ms) | **no** |"));
            Assert.That(md, Does.Contain("| waiting init RSS ≤ 3.5 MB (VmHWM after create) | 3.15 MB | yes |"));
            var png = File.ReadAllBytes(Path.Combine(dir, "results.png"));
            Assert.That(png.Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
