using System.Text.Json.Serialization;

namespace Runtime.Bench;

/// <summary>One measured quantity of one runtime: samples in run order (so run i of two runtimes
/// form a pair), or why it could not be measured.</summary>
public sealed class Series
{
    public List<double> Samples { get; set; } = [];
    public string? Error { get; set; }
}

/// <summary>One row of the table: an operation (or an RSS reading) for every runtime.</summary>
public sealed class OpResult
{
    public string Op { get; set; } = "";
    /// <summary>"ms" or "MiB".</summary>
    public string Unit { get; set; } = "ms";
    /// <summary>"time" rows are plotted; "rss" rows go to the memory table.</summary>
    public string Kind { get; set; } = "time";
    public string? Note { get; set; }
    public Dictionary<string, Series> ByRuntime { get; set; } = [];

    public Series For(string runtime)
    {
        if (!ByRuntime.TryGetValue(runtime, out var s))
            ByRuntime[runtime] = s = new Series();
        return s;
    }
}

/// <summary>Everything one `measure` run produced, in one environment.</summary>
public sealed class EnvResult
{
    public string Env { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> Runtimes { get; set; } = [];
    public Dictionary<string, string> Versions { get; set; } = [];
    /// <summary>Per runtime: whether the memory/pids limits were found applied to a created container.</summary>
    public Dictionary<string, string> CgroupCheck { get; set; } = [];
    /// <summary>Per runtime: "ok", or why one `run /bin/true` failed before measuring.</summary>
    public Dictionary<string, string> Preflight { get; set; } = [];
    public int Runs { get; set; }
    public int Warmup { get; set; }
    public int BatchRuns { get; set; }
    public int BatchSize { get; set; }
    public bool Limits { get; set; }
    public string Started { get; set; } = "";
    /// <summary>/proc/loadavg's 1-minute load at the start and the end: the machine is shared.</summary>
    public string Load { get; set; } = "";
    public double Seconds { get; set; }
    public List<OpResult> Ops { get; set; } = [];

    public OpResult Op(string name, string unit = "ms", string kind = "time", string? note = null)
    {
        var op = Ops.FirstOrDefault(o => o.Op == name);
        if (op == null)
            Ops.Add(op = new OpResult { Op = name, Unit = unit, Kind = kind, Note = note });
        return op;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(EnvResult))]
internal sealed partial class ResultsJsonContext : JsonSerializerContext;

public static class Stats
{
    public static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.OrderBy(x => x).ToArray();
        int m = s.Length / 2;
        return s.Length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /// <summary>The median of a[i]/b[i] over runs where both were measured: runs of the two runtimes
    /// were interleaved, so each pair saw the same machine state.</summary>
    public static double? PairedRatio(Series a, Series b)
    {
        if (a.Error != null || b.Error != null) return null;
        int n = Math.Min(a.Samples.Count, b.Samples.Count);
        var r = new List<double>();
        for (int i = 0; i < n; i++)
            if (b.Samples[i] > 0) r.Add(a.Samples[i] / b.Samples[i]);
        return r.Count == 0 ? null : Median(r);
    }
}
