using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Runtime.Testing;

using Process = System.Diagnostics.Process;

/// <summary>How one invocation of the runtime is run.</summary>
public sealed record RuntimeCall
{
    /// <summary>Extra environment for the runtime process.</summary>
    public IDictionary<string, string>? Env { get; init; }
    /// <summary>Files opened read-only on these fds of the runtime process (fd → host path).</summary>
    public IReadOnlyDictionary<int, string>? ExtraFds { get; init; }
    /// <summary>Shell words run before the exec (e.g. "export LISTEN_PID=$$;"): $$ is the runtime's pid.</summary>
    public string? ShellPrefix { get; init; }
    public string? Stdin { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Another runtime binary (a copy, for tests that try to damage it).</summary>
    public string? Binary { get; init; }
}

/// <summary>What a runtime invocation did. <see cref="OutputFile"/> keeps receiving what a created or
/// detached container writes to its stdout (the container inherits the runtime's stdio).</summary>
public sealed record RuntimeResult(int ExitCode, string Stdout, string Stderr, string OutputFile, string ErrorFile, string CommandLine)
{
    public override string ToString() => $"`{CommandLine}` exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// One test's containers: its own state root and directory under /tmp/spectests, unique IDs, the
/// published binary run with timeouts (stdio captured in files, since created containers inherit it),
/// and a cleanup that always runs: `delete --force` of every ID it handed out, then a search for
/// anything left behind (state directory, process, mount), which it removes and reports.
/// </summary>
public sealed class ContainerHarness : IDisposable
{
    public static string BaseDir { get; } = "/tmp/spectests";

    /// <summary>Random per test: part of every ID, of the directory and of the env marker.</summary>
    public string Token { get; }
    public string Dir { get; }
    public string StateRoot { get; }
    /// <summary>The env entry every container of this test carries (BundleBuilder adds it).</summary>
    public string Marker => "SPECTEST=" + Token;

    private readonly List<string> _ids = new();
    private readonly List<(int Pid, ulong StartTime)> _pids = new();
    private readonly List<string> _ownMounts = new();
    private readonly List<Process> _background = new();
    private readonly Dictionary<string, string> _outputs = new();
    private int _counter;
    private bool _disposed;

    public ContainerHarness(string testName)
    {
        Token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 4);
        var safe = new string(testName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').Take(40).ToArray());
        Dir = Path.Combine(BaseDir, $"{safe}-{Token}");
        StateRoot = Path.Combine(Dir, "state");
        Directory.CreateDirectory(Path.Combine(Dir, "io"));
    }

    public string NewId(string tag = "c")
    {
        var id = $"st{Token}-{tag}{Interlocked.Increment(ref _counter)}";
        lock (_ids) _ids.Add(id);
        return id;
    }

    public BundleBuilder NewBundle(string? name = null) =>
        new(Path.Combine(Dir, name ?? $"bundle{Interlocked.Increment(ref _counter)}"), Marker);

    /// <summary>A scratch directory under the test's directory.</summary>
    public string NewDir(string name)
    {
        var d = Path.Combine(Dir, name);
        Directory.CreateDirectory(d);
        return d;
    }

    // ---- running the binary ----

    /// <summary>Runs `runtime --root STATE args…` and waits for it.</summary>
    public RuntimeResult Runtime(params string[] args) => Runtime(new RuntimeCall(), args);

    public RuntimeResult Runtime(RuntimeCall call, params string[] args)
    {
        using var p = StartRuntime(call, args, out var outFile, out var errFile, out var cmd);
        if (!p.WaitForExit(call.Timeout))
        {
            KillTree(p);
            throw new TimeoutException($"`{cmd}` did not finish within {call.Timeout.TotalSeconds}s\n--- stdout\n{Read(outFile)}\n--- stderr\n{Read(errFile)}");
        }
        p.WaitForExit();
        return new RuntimeResult(p.ExitCode, Read(outFile), Read(errFile), outFile, errFile, cmd);
    }

    /// <summary>Starts the runtime without waiting (foreground `run` tests): signal it with <see cref="Native.Kill"/>.</summary>
    public BackgroundRuntime StartInBackground(RuntimeCall call, params string[] args)
    {
        var p = StartRuntime(call, args, out var outFile, out var errFile, out var cmd);
        lock (_background) _background.Add(p);
        return new BackgroundRuntime(p, outFile, errFile, cmd);
    }

    private Process StartRuntime(RuntimeCall call, string[] args, out string outFile, out string errFile, out string cmd)
    {
        int n = Interlocked.Increment(ref _counter);
        var io = Path.Combine(Dir, "io");
        outFile = Path.Combine(io, $"{n}.out");
        errFile = Path.Combine(io, $"{n}.err");
        var inFile = Path.Combine(io, $"{n}.in");
        File.WriteAllText(inFile, call.Stdin ?? "");
        var binary = call.Binary ?? RuntimeBinary.Path;
        // sh only sets up the redirections, then execs: the pid we hold is the runtime's.
        var script = new StringBuilder(call.ShellPrefix ?? "");
        script.Append($"exec \"$0\" \"$@\" <'{inFile}' >'{outFile}' 2>'{errFile}'");
        foreach (var (fd, path) in call.ExtraFds ?? new Dictionary<int, string>())
            script.Append($" {fd}<'{path}'");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script.ToString());
        psi.ArgumentList.Add(binary);
        var full = new List<string> { "--root", StateRoot };
        full.AddRange(args);
        foreach (var a in full) psi.ArgumentList.Add(a);
        foreach (var (k, v) in call.Env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        cmd = "runtime " + string.Join(' ', full);
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + binary);
    }

    private static string Read(string file) => File.Exists(file) ? File.ReadAllText(file) : "";

    private static void KillTree(Process p)
    {
        try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        p.WaitForExit(5000);
    }

    // ---- lifecycle shortcuts ----

    /// <summary>`create --bundle B [extra…] ID`; the container's stdout goes to <see cref="Output"/>.</summary>
    public RuntimeResult Create(string bundle, string id, params string[] extra) => Create(new RuntimeCall(), bundle, id, extra);

    public RuntimeResult Create(RuntimeCall call, string bundle, string id, params string[] extra)
    {
        var r = Runtime(call, new[] { "create", "--bundle", bundle }.Concat(extra).Append(id).ToArray());
        lock (_outputs) _outputs[id] = r.OutputFile;
        if (r.ExitCode == 0) Remember(id);
        return r;
    }

    /// <summary>Create that must succeed.</summary>
    public int CreateOk(string bundle, string id, params string[] extra)
    {
        var r = Create(bundle, id, extra);
        if (r.ExitCode != 0) throw new InvalidOperationException("create failed: " + r);
        return Pid(id);
    }

    public RuntimeResult Start(string id) => Runtime("start", id);

    public void StartOk(string id)
    {
        var r = Start(id);
        if (r.ExitCode != 0) throw new InvalidOperationException("start failed: " + r);
    }

    public RuntimeResult Kill(string id, string? signal = null) =>
        signal == null ? Runtime("kill", id) : Runtime("kill", id, signal);

    public RuntimeResult Delete(string id, bool force = false) =>
        force ? Runtime("delete", "--force", id) : Runtime("delete", id);

    /// <summary>Foreground `run --bundle B [extra…] ID`: the container's stdout is the result's stdout.</summary>
    public RuntimeResult Run(string bundle, string id, params string[] extra) => Run(new RuntimeCall(), bundle, id, extra);

    public RuntimeResult Run(RuntimeCall call, string bundle, string id, params string[] extra)
    {
        var r = Runtime(call, new[] { "run", "--bundle", bundle }.Concat(extra).Append(id).ToArray());
        lock (_outputs) _outputs[id] = r.OutputFile;
        return r;
    }

    /// <summary>Writes the bundle, runs it in the foreground and returns the container's stdout (exit 0 required).</summary>
    public string RunOk(BundleBuilder bundle, string? tag = null)
    {
        var id = NewId(tag ?? "run");
        var r = Run(bundle.Write(), id);
        if (r.ExitCode != 0) throw new InvalidOperationException("run failed: " + r + "\n--- config\n" + bundle);
        return r.Stdout;
    }

    /// <summary>What the container wrote to stdout so far (created/detached containers).</summary>
    public string Output(string id)
    {
        lock (_outputs) return _outputs.TryGetValue(id, out var f) ? Read(f) : "";
    }

    /// <summary>`state ID` parsed; throws with the runtime's output if it fails.</summary>
    public JsonObject State(string id)
    {
        var r = Runtime("state", id);
        if (r.ExitCode != 0) throw new InvalidOperationException("state failed: " + r);
        var json = JsonNode.Parse(r.Stdout) as JsonObject ?? throw new InvalidOperationException("state is not a JSON object: " + r.Stdout);
        Remember(json);
        return json;
    }

    public string Status(string id) => (string)State(id)["status"]!;

    public int Pid(string id) => (int)State(id)["pid"]!;

    /// <summary>Polls `state` until the status is <paramref name="status"/>.</summary>
    public void WaitForStatus(string id, string status, double seconds = 10)
    {
        string last = "";
        WaitUntil(() => (last = Status(id)) == status, seconds, () => $"container {id} to be {status} (last: {last})");
    }

    public void WaitForOutput(string id, string text, double seconds = 10) =>
        WaitUntil(() => Output(id).Contains(text), seconds, () => $"\"{text}\" in the output of {id}; output so far:\n{Output(id)}");

    public static void WaitUntil(Func<bool> condition, double seconds, Func<string> what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("timed out waiting for " + what());
            Thread.Sleep(20);
        }
    }

    private void Remember(string id)
    {
        try
        {
            State(id);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Remember(JsonObject state)
    {
        if (state["pid"] is JsonValue v && v.TryGetValue<int>(out int pid) && pid > 0 && Native.StartTime(pid) is { } st)
            lock (_pids)
                if (!_pids.Contains((pid, st))) _pids.Add((pid, st));
    }

    /// <summary>Records a host pid the test learned some other way (pid file, hook) for the leftover check.</summary>
    public void RememberPid(int pid)
    {
        if (Native.StartTime(pid) is { } st)
            lock (_pids) _pids.Add((pid, st));
    }

    // ---- mounts made by the test itself (in the suite's private mount namespace) ----

    public void Mount(params string[] mountArgs)
    {
        // Only inside run-all.sh's `unshare -m --propagation private`: there "/" is private, while
        // a host's "/" is normally shared and a test mount would reach the caller.
        if (MountInfo.At(MountInfo.Read("/proc/self/mountinfo"), "/") is { IsShared: true })
            throw new InvalidOperationException("refusing to mount in a namespace whose / is shared: run the spec tests through tests/run-all.sh --spec");
        var r = RuntimeBinary.Exec("/bin/mount", mountArgs);
        if (r.ExitCode != 0) throw new InvalidOperationException($"mount {string.Join(' ', mountArgs)}: {r}");
        var target = mountArgs.Last(a => a.StartsWith('/'));
        lock (_ownMounts)
            if (!_ownMounts.Contains(target)) _ownMounts.Add(target);
    }

    // ---- leftovers ----

    /// <summary>Everything of this test still present: state directories of its IDs, live processes
    /// (remembered pids, the ID or token on a command line, the marker in an environment, a root
    /// or an open file under the test directory), and mounts under the test directory or the shared rootfs.</summary>
    public List<string> FindLeftovers(IEnumerable<string>? onlyIds = null)
    {
        var problems = new List<string>();
        List<string> ids;
        lock (_ids) ids = (onlyIds ?? _ids).ToList();
        foreach (var id in ids)
            if (Directory.Exists(Path.Combine(StateRoot, id)))
                problems.Add($"state directory {Path.Combine(StateRoot, id)} still exists");
        foreach (var p in LeftoverProcesses(ids))
            problems.Add(p.Description);
        foreach (var m in LeftoverMounts())
            problems.Add($"mount {m} still exists in the test's mount namespace");
        return problems;
    }

    /// <summary>Asserts (after a short grace for processes still exiting) that nothing of these IDs is left.</summary>
    public void AssertNoLeftovers(params string[] ids)
    {
        var problems = FindLeftoversWithGrace(ids.Length == 0 ? null : ids);
        if (problems.Count > 0)
            throw new LeftoverException("left behind:\n  " + string.Join("\n  ", problems));
    }

    private List<string> FindLeftoversWithGrace(IEnumerable<string>? ids)
    {
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (true)
        {
            var problems = FindLeftovers(ids);
            if (problems.Count == 0 || DateTime.UtcNow > deadline)
                return problems;
            Thread.Sleep(50);
        }
    }

    private sealed record Leftover(int Pid, string Description);

    private List<Leftover> LeftoverProcesses(List<string> ids)
    {
        var found = new List<Leftover>();
        int self = Environment.ProcessId;
        List<(int Pid, ulong StartTime)> known;
        lock (_pids) known = _pids.ToList();
        foreach (var (pid, st) in known)
            if (Native.IsAlive(pid) && Native.StartTime(pid) == st)
                found.Add(new Leftover(pid, $"process {pid} ({Cmdline(pid)}) reported by the runtime is still alive"));
        HashSet<Process> mine;
        lock (_background) mine = _background.Where(p => !p.HasExited).ToHashSet();
        var mineIds = mine.Select(p => p.Id).ToHashSet();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == self || mineIds.Contains(pid) || found.Any(f => f.Pid == pid))
                continue;
            if (!Native.IsAlive(pid))
                continue;
            string? why = null;
            var cmdline = Cmdline(pid);
            if (cmdline.Contains(Token) && !cmdline.StartsWith("/bin/mount", StringComparison.Ordinal))
                why = "its command line names the test";
            else if (ReadOrEmpty($"{dir}/environ").Contains(Marker + "\0") || ReadOrEmpty($"{dir}/environ").EndsWith(Marker, StringComparison.Ordinal))
                why = "its environment carries the test's marker";
            else if (Link($"{dir}/root") is { } root && IsUnder(root, Dir))
                why = $"its root is {root}";
            else if (OpenFileUnder(dir, Dir) is { } file)
                why = $"it holds {file} open";
            if (why != null)
                found.Add(new Leftover(pid, $"process {pid} ({cmdline}) is still alive: {why}"));
        }
        return found;
    }

    private List<string> LeftoverMounts()
    {
        List<string> own;
        lock (_ownMounts) own = _ownMounts.ToList();
        var result = new List<string>();
        foreach (var mp in MountInfo.Read("/proc/self/mountinfo").Select(m => m.MountPoint))
            if ((IsUnder(mp, Dir) || IsUnder(mp, BundleBuilder.SharedRootfs)) && !own.Contains(mp))
                result.Add(mp);
        return result;
    }

    private static bool IsUnder(string path, string dir) => path == dir || path.StartsWith(dir + "/", StringComparison.Ordinal);

    private static string Cmdline(int pid) => ReadOrEmpty($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();

    private static string ReadOrEmpty(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string? Link(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? OpenFileUnder(string procDir, string dir)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"{procDir}/fd"))
                if (Link(fd) is { } target && IsUnder(target, dir))
                    return target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    // ---- cleanup ----

    /// <summary>delete --force of every ID, stop background runs, unmount the test's own mounts, then
    /// remove and report whatever is left. Throws <see cref="LeftoverException"/> if anything was.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var problems = new List<string>();
        List<string> ids;
        lock (_ids) ids = _ids.ToList();
        foreach (var id in Enumerable.Reverse(ids))
        {
            if (!Directory.Exists(Path.Combine(StateRoot, id)))
                continue;
            try
            {
                var r = Runtime(new RuntimeCall { Timeout = TimeSpan.FromSeconds(20) }, "delete", "--force", id);
                if (r.ExitCode != 0)
                    problems.Add($"cleanup: delete --force {id} failed: {r.Stderr.Trim()}");
            }
            catch (TimeoutException e)
            {
                problems.Add("cleanup: " + e.Message);
            }
        }
        List<Process> background;
        lock (_background) background = _background.ToList();
        foreach (var p in background)
        {
            if (!p.WaitForExit(3000))
                KillTree(p);
            p.Dispose();
        }
        lock (_background) _background.Clear();
        List<string> own;
        lock (_ownMounts) own = _ownMounts.ToList();
        foreach (var m in Enumerable.Reverse(own))
            RuntimeBinary.Exec("/bin/umount", new[] { "-l", m });
        lock (_ownMounts) _ownMounts.Clear();

        problems.AddRange(FindLeftoversWithGrace(null));

        // Remove whatever is left so the next test starts clean, then report it.
        foreach (var p in LeftoverProcesses(ids))
            Native.Kill(p.Pid, Native.SIGKILL);
        foreach (var m in LeftoverMounts().OrderByDescending(m => m.Length))
            RuntimeBinary.Exec("/bin/umount", new[] { "-l", m });
        if (LeftoverMounts().Count == 0)
            RuntimeBinary.Exec("/bin/rm", new[] { "-rf", "--one-file-system", Dir });
        else
            problems.Add($"cleanup: {Dir} not removed: mounts remain under it");
        if (problems.Count > 0)
            throw new LeftoverException("left behind:\n  " + string.Join("\n  ", problems));
    }
}

public sealed class LeftoverException(string message) : Exception(message);

/// <summary>A runtime process started without waiting (foreground `run` that the test signals).</summary>
public sealed class BackgroundRuntime(Process process, string outFile, string errFile, string commandLine)
{
    public int Pid => process.Id;
    public string Stdout => File.Exists(outFile) ? File.ReadAllText(outFile) : "";
    public string Stderr => File.Exists(errFile) ? File.ReadAllText(errFile) : "";

    public void Signal(int sig) => Native.Kill(process.Id, sig);

    /// <summary>Waits for the runtime to exit and returns its exit code.</summary>
    public int WaitForExit(double seconds = 20)
    {
        if (!process.WaitForExit(TimeSpan.FromSeconds(seconds)))
            throw new TimeoutException($"`{commandLine}` did not exit within {seconds}s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}");
        process.WaitForExit();
        return process.ExitCode;
    }

    public bool HasExited => process.HasExited;

    public void WaitForOutput(string text, double seconds = 10) =>
        ContainerHarness.WaitUntil(() => Stdout.Contains(text) || process.HasExited && !Stdout.Contains(text) && Fail(text), seconds,
            () => $"\"{text}\" from `{commandLine}`; output so far:\n{Stdout}\n--- stderr\n{Stderr}");

    private bool Fail(string text) =>
        throw new InvalidOperationException($"`{commandLine}` exited ({process.ExitCode}) before printing \"{text}\"\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}");
}
