using System.Globalization;
using System.Text;

namespace Runtime.Bench;

/// <summary>Turns `measure` results into bench/results/results.md (tables + targets) and results.png.</summary>
public static class Report
{
    public const string Ours = "runtime";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Write(string outDir, List<EnvResult> envs)
    {
        if (envs.Count == 0) throw new ArgumentException("report: no result files given");
        Directory.CreateDirectory(outDir);
        var md = Path.Combine(outDir, "results.md");
        var png = Path.Combine(outDir, "results.png");
        File.WriteAllText(md, Markdown(envs, Path.GetFileName(png)));
        Plot.Write(png, envs);
        Console.Error.WriteLine($"wrote {md} and {png}");
        Console.Out.Write(File.ReadAllText(md));
        return 0;
    }

    private static string Markdown(List<EnvResult> envs, string pngName)
    {
        var sb = new StringBuilder();
        var first = envs[0];
        sb.AppendLine("# Benchmark results: runtime vs runc vs crun").AppendLine();
        sb.AppendLine($"Measured {first.Started} on {Machine()} by `make bench` (see docs/benchmarks.md for how to read this). " +
                      $"`{Ours}` is ours. Each number is the median of {first.Runs} runs after {first.Warmup} warm-up runs, " +
                      "[min – max] beside it; runtimes were interleaved run by run. A ratio is the median over runs of " +
                      $"{Ours}'s time ÷ the other's time in the same run (< 1 means we are faster).").AppendLine();
        sb.AppendLine($"![medians per operation]({pngName})").AppendLine();
        sb.AppendLine("Versions: " + string.Join("; ", envs.SelectMany(e => e.Versions).DistinctBy(v => v.Key).Select(v => $"{v.Key}: `{v.Value}`"))).AppendLine();

        var target = envs.FirstOrDefault(e => e.Runtimes.Contains("crun"));
        if (target != null) Targets(sb, target);

        foreach (var env in envs)
        {
            var others = env.Runtimes.Where(r => r != Ours).ToList();
            sb.AppendLine($"## {env.Env}: {env.Description}").AppendLine();
            sb.AppendLine($"{env.Runs} runs ({env.Warmup} warm-up), {env.BatchRuns} × {env.BatchSize}-container batches, {env.Seconds:0} s, load average {env.Load} on {Environment.ProcessorCount} cores. " +
                          (env.Limits ? $"Bundles carry a memory limit ({Bundles.MemoryLimit >> 20} MiB) and a pids limit ({Bundles.PidsLimit})." : "Bundles carry no cgroup limits (BENCH_CGROUP_LIMITS=0)."))
              .AppendLine();
            sb.AppendLine("Preflight (one `run /bin/true` before measuring) and the cgroup limits found applied to a created container:").AppendLine();
            foreach (var r in env.Runtimes)
                sb.AppendLine($"- {r}: preflight {Escape(env.Preflight.GetValueOrDefault(r, "?"))}; limits applied: {env.CgroupCheck.GetValueOrDefault(r, "not checked (create failed)")}");
            sb.AppendLine();
            Table(sb, env, "time", "operation (ms)", others);
            Table(sb, env, "rss", "peak RSS (MiB)", others);
        }
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, EnvResult env, string kind, string title, List<string> others)
    {
        sb.Append($"| {title} |");
        foreach (var r in env.Runtimes) sb.Append($" {r} |");
        foreach (var o in others) sb.Append($" {Ours} ÷ {o} |");
        sb.AppendLine().Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", env.Runtimes.Count + others.Count))).AppendLine();
        foreach (var op in env.Ops.Where(o => o.Kind == kind))
        {
            sb.Append($"| {op.Op}{(op.Note != null ? $" ({op.Note})" : "")} |");
            foreach (var r in env.Runtimes) sb.Append($" {Cell(op.ByRuntime.GetValueOrDefault(r))} |");
            foreach (var o in others) sb.Append($" {RatioCell(op, o)} |");
            sb.AppendLine();
        }
        sb.AppendLine();
    }

    private static string Cell(Series? s)
    {
        if (s == null) return "–";
        if (s.Error != null) return "n/a: " + Escape(s.Error);
        if (s.Samples.Count == 0) return "–";
        return $"**{F(Stats.Median(s.Samples))}** [{F(s.Samples.Min())} – {F(s.Samples.Max())}]";
    }

    private static string RatioCell(OpResult op, string other)
    {
        if (!op.ByRuntime.TryGetValue(Ours, out var a) || !op.ByRuntime.TryGetValue(other, out var b)) return "–";
        var r = Stats.PairedRatio(a, b);
        return r == null ? "n/a" : $"{r.Value.ToString("0.00", Inv)}×";
    }

    private static void Targets(StringBuilder sb, EnvResult env)
    {
        sb.AppendLine($"## Targets (from the `{env.Env}` run, where crun can run)").AppendLine();
        sb.AppendLine("| target | measured | met? |").AppendLine("|---|---|---|");
        void Ratio(string label, string op, string other, double max)
        {
            var o = env.Ops.FirstOrDefault(x => x.Op == op);
            var a = o?.ByRuntime.GetValueOrDefault(Ours);
            var b = o?.ByRuntime.GetValueOrDefault(other);
            if (a?.Error != null) { Row(label, "n/a: " + Escape(a.Error), null); return; }
            var r = a != null && b != null ? Stats.PairedRatio(a, b) : null;
            Row(label, r == null ? "n/a" : $"{r.Value.ToString("0.00", Inv)}× ({F(Stats.Median(a!.Samples))} vs {F(Stats.Median(b!.Samples))} ms)", r == null ? null : r <= max);
        }
        void Absolute(string label, string op, double max, string unit, double scale = 1)
        {
            var a = env.Ops.FirstOrDefault(x => x.Op == op)?.ByRuntime.GetValueOrDefault(Ours);
            if (a == null || a.Error != null || a.Samples.Count == 0) { Row(label, a?.Error != null ? "n/a: " + Escape(a.Error) : "n/a", null); return; }
            double m = Stats.Median(a.Samples) * scale;
            Row(label, $"{F(m)} {unit}", m <= max);
        }
        void Row(string label, string measured, bool? met) =>
            sb.AppendLine($"| {label} | {measured} | {(met == null ? "n/a" : met.Value ? "yes" : "**no**")} |");

        Ratio("`run` ≤ 1.0× crun", Suite.Run, "crun", 1.0);
        Ratio("create ≤ crun", Suite.Create, "crun", 1.0);
        Ratio("start ≤ crun", Suite.Start, "crun", 1.0);
        Ratio("delete ≤ crun", Suite.Delete, "crun", 1.0);
        Absolute("`delete --force` ≤ 10 ms", Suite.ForceDelete, 10, "ms");
        Ratio("exec ≤ 1.0× crun", Suite.Exec, "crun", 1.0);
        Ratio($"list of {env.BatchSize} ≤ crun", $"{Suite.ListN} ({env.BatchSize} containers)", "crun", 1.0);
        // MiB → MB (10^6 bytes), the unit of the target.
        Absolute("waiting init RSS ≤ 3.5 MB (VmHWM after create)", Suite.InitProcHwm, 3.5, "MB", 1.048576);
        // The runtime process: its worst ratio to runc over every command measured.
        var worst = env.Ops.Where(o => o.Kind == "rss" && o.Op.StartsWith(Suite.RuntimeRss, StringComparison.Ordinal))
            .Select(o => (o.Op, R: o.ByRuntime.TryGetValue(Ours, out var a) && o.ByRuntime.TryGetValue("runc", out var b) ? Stats.PairedRatio(a, b) : null))
            .Where(x => x.R != null).OrderByDescending(x => x.R).FirstOrDefault();
        if (worst.R == null) Row("runtime process RSS ≤ runc's ÷ 2", "n/a", null);
        else Row("runtime process RSS ≤ runc's ÷ 2", $"worst {worst.R.Value.ToString("0.00", Inv)}× runc ({worst.Op[Suite.RuntimeRss.Length..]})", worst.R <= 0.5);
        sb.AppendLine();
    }

    public static string F(double v) => v >= 100 ? v.ToString("0", Inv) : v >= 10 ? v.ToString("0.0", Inv) : v.ToString("0.00", Inv);

    private static string Escape(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    private static string Machine()
    {
        string cpu = "?";
        try { cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "?"; }
        catch (IOException) { }
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return $"Linux {kernel}, {Environment.ProcessorCount} × {cpu}";
    }
}
