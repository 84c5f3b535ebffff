using ScottPlot;

namespace Runtime.Bench;

/// <summary>The PNG: one panel per environment, grouped bars (median ms per operation per runtime),
/// our bar labelled with its paired ratio to the reference runtime (crun where present, else runc).
/// Batch operations are shown per container so they share the scale.</summary>
public static class Plot
{
    private static readonly Dictionary<string, Color> Colors = new()
    {
        [Report.Ours] = new Color(0x1f, 0x77, 0xb4),
        ["runc"] = new Color(0x99, 0x99, 0x99),
        ["crun"] = new Color(0xff, 0x7f, 0x0e),
    };

    public static void Write(string path, List<EnvResult> envs)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(envs.Count);
        for (int e = 0; e < envs.Count; e++)
            Panel(multiplot.GetPlot(e), envs[e]);
        multiplot.SavePng(path, 1400, 560 * envs.Count);
    }

    private static void Panel(ScottPlot.Plot plot, EnvResult env)
    {
        var ops = env.Ops.Where(o => o.Kind == "time").ToList();
        var reference = env.Runtimes.Contains("crun") ? "crun" : "runc";
        int n = env.Runtimes.Count;
        double width = 0.8 / n;
        var ticks = new List<Tick>();
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            double per = op.Note != null ? env.BatchSize : 1;   // batch rows: per container
            ticks.Add(new Tick(i, per > 1 ? $"{op.Op} ÷{env.BatchSize}" : op.Op));
            for (int r = 0; r < n; r++)
            {
                var rt = env.Runtimes[r];
                var s = op.ByRuntime.GetValueOrDefault(rt);
                double x = i - 0.4 + width * (r + 0.5);
                bool ok = s != null && s.Error == null && s.Samples.Count > 0;
                var bar = new Bar
                {
                    Position = x,
                    Value = ok ? Stats.Median(s!.Samples) / per : 0,
                    Size = width * 0.95,
                    FillColor = Colors.GetValueOrDefault(rt, Colors.Values.First()),
                    LineWidth = 0,
                };
                if (!ok) bar.Label = "n/a";
                else if (rt == Report.Ours && op.ByRuntime.TryGetValue(reference, out var refSeries) && Stats.PairedRatio(s!, refSeries) is double ratio)
                    bar.Label = $"{ratio:0.00}×";
                var plottable = plot.Add.Bars(new[] { bar });
                plottable.ValueLabelStyle.FontSize = 11;
                plottable.ValueLabelStyle.Bold = rt == Report.Ours;
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.YLabel("median, ms");
        plot.Title($"{env.Env}: {env.Description} — labels: {Report.Ours} ÷ {reference} (paired)");
        foreach (var rt in env.Runtimes)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = rt, FillColor = Colors.GetValueOrDefault(rt, Colors.Values.First()) });
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
