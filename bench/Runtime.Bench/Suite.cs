using System.Diagnostics;

namespace Runtime.Bench;

/// <summary>Settings of one `measure` run.</summary>
public sealed record SuiteOptions(int Runs, int Warmup, int BatchRuns, int BatchSize, bool Limits);

/// <summary>
/// The operations, each measured for every runtime interleaved: run i goes A B C, run i+1 B C A, …
/// (rotated so no runtime is always first), after warm-up runs that are not recorded. A runtime whose
/// command fails gets "n/a: error" for that operation (and for the steps after it that depend on
/// it); the others go on.
/// </summary>
public sealed class Suite(Spawner sp, IReadOnlyList<Subject> subjects, Bundles bundles, EnvResult result,
    SuiteOptions o, string tag, string scratch, CancellationToken ct)
{
    public const string Run = "run /bin/true", Create = "create", Start = "start", Wait = "wait (start → exit)",
        Delete = "delete", ForceDelete = "delete --force (running)", Exec = "exec /bin/true", State1 = "state (1 container)",
        List1 = "list (1 container)", BatchCreate = "creates", StateN = "state", ListN = "list", BatchDelete = "deletes";
    public const string InitProcRss = "waiting init: VmRSS after create", InitProcHwm = "waiting init: VmHWM after create",
        InitWaitRss = "container init: peak RSS (wait4)", RuntimeRss = "runtime process: ";

    private readonly HashSet<(string Op, string Rt)> _failed = [];
    private Spawner Sp => sp;
    private EnvResult Result => result;

    public void RunAll()
    {
        // Does each runtime work here at all (crun refuses hybrid cgroups)? Recorded, shown in the report.
        foreach (var s in subjects)
        {
            var id = Id(s, "preflight");
            try { sp.Run(s.Exe, s.Run(bundles.True, id)); result.Preflight[s.Name] = "ok"; }
            catch (CommandFailed e) { result.Preflight[s.Name] = e.Message; Log($"{s.Name}: preflight `run` failed: {e.Message}"); }
            RemoveLeftovers(s);
        }
        Group("run", [Run], (s, rec) =>
        {
            var id = Id(s, "run");
            rec.Time(Run, s, s.Run(bundles.True, id));
            if (s.StoredIds().Contains(id))
                throw new CommandFailed($"{Run}: the container's state was left behind after run ({s.Root}/{id})");
        });

        Group("lifecycle", [Create, Start, Wait, Delete], (s, rec) =>
        {
            var id = Id(s, "life");
            var pidFile = Path.Combine(scratch, id + ".pid");
            rec.Time(Create, s, s.Create(bundles.True, id, pidFile));
            int pid = ReadPid(pidFile);
            rec.Rss(InitProcRss, s, ProcStatusKb(pid, "VmRSS"));
            rec.Rss(InitProcHwm, s, ProcStatusKb(pid, "VmHWM"));
            if (!result.CgroupCheck.ContainsKey(s.Name))
                result.CgroupCheck[s.Name] = CgroupCheck.Describe(pid, bundles.Limits);
            RequireLauncherChild(pid);
            var started = rec.Time(Start, s, s.Start(id));
            rec.Step(Wait);
            var exit = sp.WaitFor(pid, TimeSpan.FromSeconds(10), out bool timedOut);
            if (timedOut) throw new CommandFailed($"the container's /bin/true (pid {pid}) did not exit within 10 s of start");
            // start returns before or after the process exits; a caller waits only for what remains.
            rec.Sample(Wait, s, Math.Max(0, (exit.EndNs - started.EndNs) / 1e6));
            rec.Rss(InitWaitRss, s, exit.MaxRssKb);
            rec.Time(Delete, s, s.Delete(id));
        });

        Group("delete --force", [ForceDelete], (s, rec) =>
        {
            var id = Id(s, "force");
            var pidFile = Path.Combine(scratch, id + ".pid");
            sp.Run(s.Exe, s.Create(bundles.Sleep, id, pidFile));
            int pid = ReadPid(pidFile);
            sp.Run(s.Exe, s.Start(id));
            rec.Time(ForceDelete, s, s.Delete(id, force: true));
            if (!sp.TryTakeExit(pid, out _) && File.Exists($"/proc/{pid}/stat"))
            {
                sp.WaitFor(pid, TimeSpan.FromSeconds(5), out bool survived);
                if (survived) throw new CommandFailed($"{ForceDelete}: the container's init {pid} was still running afterwards");
            }
        });

        WithContainers("service", [Exec, State1, List1], 1, start: true, ids =>
        {
            Group("exec", [Exec], (s, rec) => rec.Time(Exec, s, s.Exec(ids[s.Name][0], "/bin/true")));
            Group("state", [State1], (s, rec) => Expect(rec.Time(State1, s, s.State(ids[s.Name][0])), "\"running\"", 1, State1, key: "\"status\""));
            Group("list", [List1], (s, rec) => Expect(rec.Time(List1, s, s.List()), ids[s.Name][0], 1, List1));
        });

        BatchRuns();
    }

    /// <summary>`BatchSize` creates then `BatchSize` deletes, timed as a whole (the sum of the commands'
    /// own times), with state and list measured while all the containers exist.</summary>
    private void BatchRuns()
    {
        int n = o.BatchSize;
        string create = $"{n} {BatchCreate}", delete = $"{n} {BatchDelete}", state = $"{StateN} ({n} containers)", list = $"{ListN} ({n} containers)";
        var note = $"sum over {n} containers";
        result.Op(create, note: note); result.Op(state); result.Op(list); result.Op(delete, note: note);
        int perBatch = (o.Runs + o.BatchRuns - 1) / o.BatchRuns;
        for (int b = 0; b < o.BatchRuns; b++)
        {
            Log($"batch {b + 1}/{o.BatchRuns}: {n} creates per runtime");
            var ids = new Dictionary<string, List<string>>();
            foreach (var s in Order(b))
            {
                ids[s.Name] = [];
                if (Failed(create, s)) continue;
                _current = create;
                Guard([create, state, list, delete], s, b, () =>
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++)
                    {
                        ct.ThrowIfCancellationRequested();
                        var id = Id(s, $"b{b}-{k}");
                        sum += sp.Run(s.Exe, s.Create(bundles.True, id, Path.Combine(scratch, id + ".pid"))).Ms;
                        ids[s.Name].Add(id);
                    }
                    result.Op(create).For(s.Name).Samples.Add(sum);
                });
            }
            for (int i = -(b == 0 ? o.Warmup : 0); i < perBatch; i++)
                foreach (var s in Order(i))
                {
                    var rec = new Recorder(this, warm: i < 0);
                    _current = state;
                    if (!Failed(state, s))
                        Guard([state], s, i, () => Expect(rec.Time(state, s, s.State(ids[s.Name][n / 2])), "\"created\"", 1, state, key: "\"status\""));
                    _current = list;
                    if (!Failed(list, s))
                        Guard([list], s, i, () => Expect(rec.Time(list, s, s.List()), $"{tag}-{s.Name}-b{b}-", n, list));
                }
            // Start them all (untimed) so each delete is the ordinary delete of a stopped container.
            foreach (var s in Order(b))
            {
                if (Failed(delete, s)) continue;
                _current = delete;
                Guard([delete], s, b, () =>
                {
                    var pids = ids[s.Name].Select(id => ReadPid(Path.Combine(scratch, id + ".pid"))).ToList();
                    foreach (var id in ids[s.Name]) sp.Run(s.Exe, s.Start(id));
                    foreach (var pid in pids)
                        if (!sp.TryTakeExit(pid, out _)) sp.WaitFor(pid, TimeSpan.FromSeconds(10), out _);
                    double sum = 0;
                    foreach (var id in ids[s.Name]) { ct.ThrowIfCancellationRequested(); sum += sp.Run(s.Exe, s.Delete(id)).Ms; }
                    result.Op(delete).For(s.Name).Samples.Add(sum);
                });
            }
            foreach (var s in subjects) RemoveLeftovers(s);
        }
    }

    /// <summary>Keeps <paramref name="count"/> containers per runtime (started if asked) for the body's
    /// operations, then deletes them; a runtime that cannot set them up gets n/a for those ops.</summary>
    private void WithContainers(string name, string[] ops, int count, bool start, Action<Dictionary<string, List<string>>> body)
    {
        var ids = new Dictionary<string, List<string>>();
        foreach (var s in subjects)
        {
            ids[s.Name] = [];
            try
            {
                for (int k = 0; k < count; k++)
                {
                    var id = Id(s, $"{name}{k}");
                    sp.Run(s.Exe, s.Create(bundles.Sleep, id, Path.Combine(scratch, id + ".pid")));
                    ids[s.Name].Add(id);
                    if (start) sp.Run(s.Exe, s.Start(id));
                }
            }
            catch (CommandFailed e)
            {
                foreach (var op in ops) MarkFailed(op, s, $"setting up a running container failed: {e.Message}");
            }
        }
        try { body(ids); }
        finally { foreach (var s in subjects) RemoveLeftovers(s); }
    }

    /// <summary>Warm-up runs then measured runs of one group of steps, interleaved across runtimes.</summary>
    private void Group(string name, string[] ops, Action<Subject, Recorder> sample)
    {
        foreach (var op in ops) result.Op(op);
        var sw = Stopwatch.StartNew();
        for (int i = -o.Warmup; i < o.Runs; i++)
        {
            foreach (var s in Order(i))
            {
                if (ops.All(op => Failed(op, s))) continue;
                ct.ThrowIfCancellationRequested();
                sp.ForgetReaped();
                var rec = new Recorder(this, warm: i < 0);
                _current = ops[0];
                Guard(ops, s, i, () => sample(s, rec));
            }
        }
        Log($"{name}: {o.Runs} runs in {sw.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Runs one sample; on failure marks the op that failed and those not reached, and
    /// removes what the failed sample left behind.</summary>
    private void Guard(string[] ops, Subject s, int run, Action sample)
    {
        _sampleIds.Clear();
        try
        {
            sample();
        }
        catch (CommandFailed e)
        {
            // The step that failed, and the steps after it (which depend on it), become n/a.
            int at = Math.Max(0, Array.IndexOf(ops, _current));
            string where = run < 0 ? "warm-up" : $"run {run + 1}";
            for (int k = at; k < ops.Length; k++)
                MarkFailed(ops[k], s, k == at ? $"{where}: {e.Message}" : $"not measured: {ops[at]} failed");
            Log($"{s.Name}: {ops[at]}: {e.Message}");
            RemoveLeftovers(s, _sampleIds.ToList());
        }
    }

    private string? _current;

    private void MarkFailed(string op, Subject s, string error)
    {
        if (!_failed.Add((op, s.Name))) return;
        var series = result.Op(op).For(s.Name);
        series.Error ??= error;
    }

    private bool Failed(string op, Subject s) => _failed.Contains((op, s.Name));

    /// <summary>Deletes (with --force) every container this run left under the runtime's root.</summary>
    private void RemoveLeftovers(Subject s, IReadOnlyCollection<string>? only = null)
    {
        foreach (var id in s.StoredIds().Where(i => i.StartsWith(tag, StringComparison.Ordinal) && (only == null || only.Contains(i))).ToList())
        {
            try { sp.Run(s.Exe, s.Delete(id, force: true), TimeSpan.FromSeconds(20)); }
            catch (CommandFailed e) { Log($"{s.Name}: cleanup of {id}: {e.Message}"); }
        }
        sp.ReapAvailable();
    }

    private IEnumerable<Subject> Order(int run)
    {
        int k = ((run % subjects.Count) + subjects.Count) % subjects.Count;
        return subjects.Skip(k).Concat(subjects.Take(k));
    }

    private int _seq;
    private readonly List<string> _sampleIds = [];

    /// <summary>A fresh container id; remembered so a failed sample removes only what it made.</summary>
    private string Id(Subject s, string what)
    {
        var id = $"{tag}-{s.Name}-{what}-{++_seq}";
        _sampleIds.Add(id);
        return id;
    }

    /// <summary>Checks a command's output: <paramref name="times"/> lines containing the needle (and the key).</summary>
    private static void Expect(Finished f, string needle, int times, string op, string? key = null)
    {
        int found = f.Stdout.Split('\n').Count(l => l.Contains(needle, StringComparison.Ordinal) && (key == null || l.Contains(key, StringComparison.Ordinal)));
        if (found != times)
            throw new CommandFailed($"{op}: expected {times} line(s) with '{needle}' in the output, got {found}: {f.Stdout.Trim().Split('\n').FirstOrDefault()}");
    }

    private static int ReadPid(string pidFile)
    {
        var text = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "";
        if (!int.TryParse(text, out int pid) || pid <= 0)
            throw new CommandFailed($"--pid-file {pidFile}: expected a pid, found '{text}'");
        return pid;
    }

    /// <summary>A field of /proc/PID/status in KiB (VmRSS: resident now; VmHWM: peak so far).</summary>
    private static long ProcStatusKb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
        throw new CommandFailed($"/proc/{pid}/status has no {field}");
    }

    /// <summary>The init must have been reparented to spawnd (a subreaper) for wait4 to see it.</summary>
    private void RequireLauncherChild(int pid)
    {
        int ppid = ParentOf(pid);
        if (ppid != sp.ServerPid)
            throw new CommandFailed($"the container init {pid} has parent {ppid}, not the harness's launcher: its exit cannot be timed");
    }

    public static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }

    private static void Log(string msg) => Console.Error.WriteLine($"  {msg}");

    /// <summary>Records one sample's numbers (dropped during warm-up).</summary>
    public sealed class Recorder(Suite suite, bool warm)
    {
        /// <summary>Names the step now running, so a failure is reported against it.</summary>
        public void Step(string op) => suite._current = op;

        public Finished Time(string op, Subject s, string[] args)
        {
            Step(op);
            var f = suite.Sp.Run(s.Exe, args);
            Sample(op, s, f.Ms);
            Rss(RuntimeRss + op, s, f.MaxRssKb);
            return f;
        }

        public void Sample(string op, Subject s, double ms)
        {
            if (!warm && !suite.Failed(op, s)) suite.Result.Op(op).For(s.Name).Samples.Add(ms);
        }

        public void Rss(string op, Subject s, long kb)
        {
            if (!warm) suite.Result.Op(op, "MiB", "rss").For(s.Name).Samples.Add(kb / 1024.0);
        }
    }
}
