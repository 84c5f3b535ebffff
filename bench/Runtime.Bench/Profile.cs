using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Runtime.Bench;

/// <summary>
/// `profile`: where our own time goes, two ways.
/// 1. From our `--debug` log (`--log F --log-format json`): every line's `time` (RFC 3339 with
///    sub-millisecond digits) marks the end of the previous step; a line's `stage` field (else its
///    `msg`) names the step that starts there. Per stage: the median over runs of the time until
///    the next line. The last stage of each command ends when the command exits.
/// 2. From `strace -f --seccomp-bpf -ttt` of `run`: syscall landmarks (config read, self-copy, spawn of the
///    init, constructor stage, mounts, pivot_root, cgroups, exec of the user process). strace slows
///    every syscall, so read these as shares, not absolute times.
/// </summary>
public static partial class Profile
{
    public static int Run(string spawnd, string runtime, string rootfs, string work, int runs)
    {
        work = Path.GetFullPath(work);
        using var sp = new Spawner(spawnd, Path.Combine(work, "profile-scratch"));
        var subject = new Subject(Report.Ours, Path.GetFullPath(runtime), Path.Combine(work, "profile-root"));
        Directory.CreateDirectory(subject.Root);
        var tag = $"rtbench-{Environment.ProcessId}";
        try
        {
            var bundles = new Bundles(sp, "/usr/sbin/runc", rootfs, Path.Combine(work, "profile-bundles"), limits: true);
            Console.WriteLine($"# Profile of {subject.Exe}\n");
            DebugLogProfile(sp, subject, bundles, tag, work, runs);
            StraceProfile(sp, subject, bundles, tag, work, runs);
        }
        finally
        {
            Cleanup.All(sp, [subject], tag);
        }
        return 0;
    }

    private static void DebugLogProfile(Spawner sp, Subject s, Bundles bundles, string tag, string work, int runs)
    {
        Console.WriteLine($"## Stages from `--debug` logs (median of {runs} runs per command)\n");
        Console.WriteLine("Each row is a stage: from its log line to the next one (the last until the command exits); the first row is the");
        Console.WriteLine("process start up to its first log line. Lines from the container's init (\"create init: …\", \"exec init: …\") carry the");
        Console.WriteLine("init's own clock readings, forwarded through the runtime.\n");
        // Per command: stage → durations, in the order stages first appeared.
        var perCommand = new Dictionary<string, (List<string> Order, Dictionary<string, List<double>> Ms, List<double> Total)>();
        var execId = $"{tag}-profile-exec";
        try
        {
            sp.Run(s.Exe, s.Run(bundles.True, $"{tag}-profile-warm"));
            sp.Run(s.Exe, ["--root", s.Root, "run", "--detach", "--bundle", bundles.Sleep, execId]);
            for (int i = 0; i < runs; i++)
            {
                var id = $"{tag}-profile-{i}";
                var log = Path.Combine(work, $"profile-{i}.log");
                File.Delete(log);
                string[] G(params string[] cmd) => ["--root", s.Root, "--debug", "--log", log, "--log-format", "json", .. cmd];
                foreach (var (name, args) in new[] {
                    ("create", G("create", "--bundle", bundles.True, id)), ("start", G("start", id)), ("delete", G("delete", id)),
                    ("run", G("run", "--bundle", bundles.True, id + "-run")), ("exec", G("exec", execId, "/bin/true")) })
                {
                    var before = File.Exists(log) ? File.ReadAllLines(log).Length : 0;
                    var spawned = DateTimeOffset.UtcNow;
                    var f = sp.Run(s.Exe, args);
                    var exited = spawned + TimeSpan.FromMilliseconds(f.Ms);
                    if (name == "start") Thread.Sleep(50);   // let /bin/true exit before delete
                    var lines = File.ReadAllLines(log).Skip(before).Select(ParseLine).OfType<(DateTimeOffset T, string Stage)>().OrderBy(l => l.T).ToList();
                    if (lines.Count == 0)
                        throw new CommandFailed($"`{name}` wrote no stage lines to its --debug log");
                    var marks = lines.Prepend((spawned, "process start (spawn → first log line)")).Append((exited, "")).ToList();
                    if (!perCommand.TryGetValue(name, out var c))
                        perCommand[name] = c = ([], [], []);
                    c.Total.Add(f.Ms);
                    for (int k = 0; k + 1 < marks.Count; k++)
                    {
                        var stage = marks[k].Item2;
                        if (!c.Ms.TryGetValue(stage, out var list)) { c.Ms[stage] = list = []; c.Order.Add(stage); }
                        list.Add(Math.Max(0, (marks[k + 1].Item1 - marks[k].Item1).TotalMilliseconds));
                    }
                }
            }
            foreach (var (name, c) in perCommand)
            {
                double total = Stats.Median(c.Total);
                Console.WriteLine($"### `{name}`: {Report.F(total)} ms (median wall time)\n");
                Console.WriteLine("| stage | median ms | share |\n|---|---:|---:|");
                foreach (var st in c.Order)
                {
                    double m = Stats.Median(c.Ms[st]);
                    Console.WriteLine($"| {st} | {Report.F(m)} | {m / total:P0} |");
                }
                Console.WriteLine();
            }
        }
        catch (CommandFailed e)
        {
            Console.WriteLine($"n/a: {e.Message}");
        }
        finally
        {
            try { sp.Run(s.Exe, s.Delete(execId, force: true)); } catch (CommandFailed) { /* Cleanup.All removes what is left */ }
        }
        Console.WriteLine();
    }

    /// <summary>One --debug JSON line: its time and the stage it starts (null if not a timed line).</summary>
    private static (DateTimeOffset, string)? ParseLine(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("time", out var t) || !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                return null;
            var stage = root.TryGetProperty("stage", out var st) ? st.GetString() : root.TryGetProperty("msg", out var m) ? m.GetString() : null;
            return stage == null ? null : (time, stage);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void StraceProfile(Spawner sp, Subject s, Bundles bundles, string tag, string work, int runs)
    {
        Console.WriteLine($"## Landmarks from `strace -f --seccomp-bpf` of `run /bin/true` (median of {runs} runs; only the listed syscalls stop, but each stop still costs: compare shares)\n");
        const string strace = "/usr/bin/strace";
        if (!File.Exists(strace)) { Console.WriteLine("n/a: strace is not installed (apt-get install strace)\n"); return; }
        var offsets = new Dictionary<string, List<double>>();
        try
        {
            sp.Run(s.Exe, s.Run(bundles.True, $"{tag}-warm"));
            for (int i = 0; i < runs; i++)
            {
                var trace = Path.Combine(work, $"profile-{i}.strace");
                sp.Run(strace, ["-f", "--seccomp-bpf", "-ttt", "-qq", "-o", trace, "-e",
                    "trace=execve,execveat,clone,clone3,vfork,setns,unshare,mount,pivot_root,openat,mkdir,mkdirat,memfd_create,exit_group",
                    s.Exe, .. s.Run(bundles.True, $"{tag}-strace-{i}")]);
                var marks = Landmarks(File.ReadLines(trace));
                foreach (var (t, what) in marks)
                {
                    if (!offsets.TryGetValue(what, out var list)) offsets[what] = list = [];
                    list.Add((t - marks[0].T) * 1000);
                }
            }
        }
        catch (CommandFailed e)
        {
            Console.WriteLine($"n/a: {e.Message}\n");
            return;
        }
        if (offsets.Count == 0) { Console.WriteLine("n/a: no landmarks found in the trace\n"); return; }
        var rows = offsets.Select(kv => (At: Stats.Median(kv.Value), What: kv.Key)).OrderBy(r => r.At).ToList();
        Console.WriteLine("| at ms | +ms since previous | landmark |\n|---:|---:|---|");
        double prev = 0;
        foreach (var (at, what) in rows)
        {
            Console.WriteLine($"| {at:0.0} | {at - prev:0.0} | {what} |");
            prev = at;
        }
        Console.WriteLine($"\nTotal under strace: {rows[^1].At:0.0} ms. The largest \"+ms\" is the slowest stage.\n");
    }

    [GeneratedRegex(@"^(\d+)\s+(\d+\.\d+)\s+(?:<\.\.\. )?(\w+)[\( ](.*)$")]
    private static partial Regex StraceLine();

    /// <summary>The first time each kind of thing happens (plus the last mount), in time order.</summary>
    public static List<(double T, string What)> Landmarks(IEnumerable<string> lines)
    {
        var found = new Dictionary<string, double>();
        int? first = null;
        double lastMount = 0;
        void Mark(string what, double t) => found.TryAdd(what, t);
        foreach (var line in lines)
        {
            var m = StraceLine().Match(line);
            if (!m.Success || line.Contains("resumed>", StringComparison.Ordinal)) continue;
            int pid = int.Parse(m.Groups[1].Value);
            double t = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            string call = m.Groups[3].Value, args = m.Groups[4].Value;
            first ??= pid;
            bool thread = args.Contains("CLONE_THREAD", StringComparison.Ordinal);
            switch (call)
            {
                case "execve" or "execveat" when pid == first: Mark("runtime starts (execve)", t); break;
                case "execve" or "execveat" when args.StartsWith("\"/proc/self/", StringComparison.Ordinal) || args.Contains("memfd:", StringComparison.Ordinal):
                    Mark("child execs the sealed self-copy (constructor stage next)", t); break;
                case "execve" or "execveat": Mark($"execs the container process ({args.Split('"')[1]})", t); break;
                case "openat" when args.Contains("config.json", StringComparison.Ordinal): Mark("reads config.json", t); break;
                case "memfd_create": Mark("starts copying itself into a sealed memfd", t); break;
                case "clone" or "clone3" or "vfork" when !thread && pid == first: Mark("spawns the init process", t); break;
                case "clone" or "clone3" when !thread: Mark("child clones again (new pid namespace)", t); break;
                case "unshare" or "setns": Mark($"constructor stage: first {call}", t); break;
                case "mount": Mark("first mount (managed init is running)", t); lastMount = t; break;
                case "pivot_root": Mark("pivot_root", t); break;
                case "mkdir" or "mkdirat" when args.Contains("/sys/fs/cgroup/", StringComparison.Ordinal): Mark("first cgroup mkdir", t); break;
                case "openat" when args.Contains("/sys/fs/cgroup/", StringComparison.Ordinal) && args.Contains("O_WRONLY", StringComparison.Ordinal):
                    Mark("first cgroup write", t); break;
                case "openat" when args.Contains("exec.fifo", StringComparison.Ordinal): Mark("exec fifo opened", t); break;
                case "exit_group": found["last process exits"] = t; break;
            }
        }
        if (lastMount > 0) found.TryAdd("last mount", lastMount);
        return found.Select(kv => (kv.Value, kv.Key)).OrderBy(x => x.Value).ToList();
    }
}
