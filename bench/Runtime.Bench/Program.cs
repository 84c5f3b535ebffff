using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Runtime.Bench;

/// <summary>
/// runtime-bench measure|report|profile|cleanup — see docs/benchmarks.md. bench/bench.sh (`make bench`)
/// drives it: one `measure` on the host, one in the v1-only cgroup namespace, then `report`.
/// </summary>
public static class Program
{
    private const string Usage = """
        usage:
          runtime-bench measure --spawnd PATH --env NAME --description TEXT --rootfs DIR --work DIR --out FILE.json --runtime NAME=PATH...
          runtime-bench report --out-dir DIR FILE.json...
          runtime-bench profile --spawnd PATH --runtime PATH --rootfs DIR --work DIR [--runs N]
          runtime-bench cleanup --spawnd PATH --work DIR --runtime NAME=PATH...
        environment: BENCH_RUNS (30), BENCH_WARMUP (3), BENCH_BATCH_RUNS (3), BENCH_BATCH_SIZE (100), BENCH_CGROUP_LIMITS (1)
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
        var a = new Args(args[1..]);
        try
        {
            return args[0] switch
            {
                "measure" => Measure(a),
                "report" => Report.Write(a.Get("--out-dir"), a.Positional.Select(Load).ToList()),
                "profile" => Profile.Run(a.Get("--spawnd"), a.Get("--runtime"), a.Get("--rootfs"), a.Get("--work"), int.Parse(a.GetOr("--runs", "5"))),
                "cleanup" => CleanupOnly(a),
                _ => throw new ArgumentException($"unknown command '{args[0]}'\n{Usage}"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"runtime-bench: {e.Message}");
            return 2;
        }
    }

    private static int Measure(Args a)
    {
        var env = a.Get("--env");
        var work = Path.GetFullPath(a.Get("--work"));
        var opts = new SuiteOptions(EnvInt("BENCH_RUNS", 30), EnvInt("BENCH_WARMUP", 3), EnvInt("BENCH_BATCH_RUNS", 3),
            EnvInt("BENCH_BATCH_SIZE", 100), EnvInt("BENCH_CGROUP_LIMITS", 1) != 0);
        if (opts.Runs < 1 || opts.BatchRuns < 1 || opts.BatchSize < 2)
            throw new ArgumentException("BENCH_RUNS and BENCH_BATCH_RUNS must be ≥ 1, BENCH_BATCH_SIZE ≥ 2");
        var tag = $"rtbench-{Environment.ProcessId}";
        var subjects = Subjects(a, work, env);
        var scratch = Path.Combine(work, $"{env}-scratch");
        using var sp = new Spawner(a.Get("--spawnd"), scratch);
        var result = new EnvResult
        {
            Env = env, Description = a.Get("--description"), Runtimes = subjects.Select(s => s.Name).ToList(),
            Runs = opts.Runs, Warmup = opts.Warmup, BatchRuns = opts.BatchRuns, BatchSize = opts.BatchSize, Limits = opts.Limits,
            Started = DateTime.Now.ToString("yyyy-MM-dd HH:mm"),
        };
        foreach (var s in subjects) result.Versions[s.Name] = Version(sp, s);

        using var cts = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        var loadBefore = LoadAverage();
        var sw = Stopwatch.StartNew();
        Console.Error.WriteLine($"[{env}] {string.Join(", ", subjects.Select(s => s.Name))}: {opts.Runs} runs after {opts.Warmup} warm-up, {opts.BatchRuns}× {opts.BatchSize} containers");
        try
        {
            var runc = subjects.FirstOrDefault(s => s.Name == "runc")?.Exe ?? "/usr/sbin/runc";
            var bundles = new Bundles(sp, runc, a.Get("--rootfs"), Path.Combine(work, $"{env}-bundles"), opts.Limits);
            new Suite(sp, subjects, bundles, result, opts, tag, scratch, cts.Token).RunAll();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"[{env}] interrupted: cleaning up");
            return 130;
        }
        finally
        {
            Cleanup.All(sp, subjects, tag);
        }
        result.Seconds = Math.Round(sw.Elapsed.TotalSeconds, 1);
        result.Load = $"{loadBefore} → {LoadAverage()}";
        var outFile = a.Get("--out");
        File.WriteAllText(outFile, JsonSerializer.Serialize(result, ResultsJsonContext.Default.EnvResult));
        Console.Error.WriteLine($"[{env}] done in {result.Seconds} s: {outFile}");
        return 0;
    }

    private static int CleanupOnly(Args a)
    {
        var work = Path.GetFullPath(a.Get("--work"));
        var subjects = new List<Subject>();
        foreach (var dir in Directory.Exists(work) ? Directory.EnumerateDirectories(work, "*-root-*") : [])
        {
            // Roots are named ENV-root-NAME; the runtime is found by NAME among --runtime.
            var name = Path.GetFileName(dir).Split("-root-")[1];
            var exe = a.All("--runtime").Select(ParseRuntime).FirstOrDefault(r => r.Name == name).Exe;
            if (exe != null) subjects.Add(new Subject(name, exe, dir));
        }
        using var sp = new Spawner(a.Get("--spawnd"), Path.Combine(work, "cleanup-scratch"));
        Cleanup.All(sp, subjects, "rtbench-");
        return 0;
    }

    private static List<Subject> Subjects(Args a, string work, string env)
    {
        var list = new List<Subject>();
        foreach (var (name, exe) in a.All("--runtime").Select(ParseRuntime))
        {
            if (!File.Exists(exe)) throw new ArgumentException($"--runtime {name}={exe}: no such file");
            var root = Path.Combine(work, $"{env}-root-{name}");
            Directory.CreateDirectory(root);
            list.Add(new Subject(name, Path.GetFullPath(exe), root));
        }
        if (list.Count == 0) throw new ArgumentException("no --runtime NAME=PATH given");
        return list;
    }

    private static (string Name, string Exe) ParseRuntime(string spec)
    {
        int eq = spec.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--runtime {spec}: expected NAME=PATH");
        return (spec[..eq], spec[(eq + 1)..]);
    }

    private static string Version(Spawner sp, Subject s)
    {
        try { return sp.Run(s.Exe, ["--version"]).Stdout.Split('\n')[0].Trim(); }
        catch (CommandFailed e) { return $"? ({e.Message})"; }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static EnvResult Load(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), ResultsJsonContext.Default.EnvResult)
        ?? throw new ArgumentException($"{path}: empty");

    private static int EnvInt(string name, int fallback)
    {
        var v = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(v)) return fallback;
        return int.TryParse(v, out int n) ? n : throw new ArgumentException($"{name}={v}: not a number");
    }

    /// <summary>--flag value pairs (repeatable) and positional arguments.</summary>
    private sealed class Args
    {
        private readonly List<(string Flag, string Value)> _flags = [];
        public List<string> Positional { get; } = [];

        public Args(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value");
                    _flags.Add((args[i], args[++i]));
                }
                else Positional.Add(args[i]);
            }
        }

        public string Get(string flag) => _flags.LastOrDefault(f => f.Flag == flag).Value ?? throw new ArgumentException($"{flag} is required\n{Usage}");
        public string GetOr(string flag, string fallback) => _flags.LastOrDefault(f => f.Flag == flag).Value ?? fallback;
        public IEnumerable<string> All(string flag) => _flags.Where(f => f.Flag == flag).Select(f => f.Value);
    }
}
