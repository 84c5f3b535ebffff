using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Runtime.Bench;

/// <summary>How one reaped process ended: wait status, when wait4 returned (CLOCK_MONOTONIC ns), its peak RSS.</summary>
public readonly record struct Exit(int Pid, int Status, long EndNs, long MaxRssKb);

/// <summary>A finished command: wall time from just before fork to wait4's return, the peak RSS that
/// wait4 reported for it (ru_maxrss, KiB), and its output.</summary>
public sealed record Finished(double Ms, long MaxRssKb, long EndNs, string Stdout);

/// <summary>Thrown when a measured command fails; the message is what the command printed.</summary>
public sealed class CommandFailed(string message) : Exception(message);

/// <summary>
/// Runs commands through spawnd (bench/spawnd.c), a small C fork server: a child forked from the
/// .NET harness would inherit the harness's ~35 MB as its ru_maxrss. spawnd is also the child
/// subreaper, so each container init its runtime leaves behind is reparented to it: every exit is
/// reaped and timestamped there (commands, and inits that exit meanwhile), which is how "wait" and
/// an init's own peak RSS are measured, and why no zombie lingers for a runtime that polls for its
/// init to disappear (delete --force).
/// </summary>
public sealed unsafe class Spawner : IDisposable
{
    private readonly Dictionary<int, Exit> _reaped = new();
    private readonly string _scratch;
    private readonly FileStream _requests, _replies;
    private readonly BinaryWriter _w;
    private readonly BinaryReader _r;
    private int _seq;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>spawnd's pid: the parent of every orphaned container init.</summary>
    public int ServerPid { get; }

    public Spawner(string spawnd, string scratchDir)
    {
        _scratch = scratchDir;
        Directory.CreateDirectory(scratchDir);
        if (!File.Exists(spawnd)) throw new ArgumentException($"--spawnd {spawnd}: no such file (bench/bench.sh compiles bench/spawnd.c)");
        int* req = stackalloc int[2];
        int* rep = stackalloc int[2];
        if (Posix.Pipe2(req, Posix.O_CLOEXEC) != 0 || Posix.Pipe2(rep, Posix.O_CLOEXEC) != 0)
            throw new InvalidOperationException($"pipe2: {Posix.StrError(Posix.Errno)}");
        ServerPid = StartServer(spawnd, req[0], rep[1]);
        Posix.Close(req[0]);
        Posix.Close(rep[1]);
        _requests = new FileStream(new SafeFileHandle(req[1], ownsHandle: true), FileAccess.Write, 1);
        _replies = new FileStream(new SafeFileHandle(rep[0], ownsHandle: true), FileAccess.Read, 1);
        _w = new BinaryWriter(_requests);
        _r = new BinaryReader(_replies);
    }

    /// <summary>Runs a command to completion; a non-zero exit throws CommandFailed with its stderr.</summary>
    public Finished Run(string exe, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var outPath = Path.Combine(_scratch, $"out.{++_seq % 4}");
        var errPath = outPath + ".err";
        var limit = timeout ?? DefaultTimeout;
        _w.Write(1);
        _w.Write((int)limit.TotalMilliseconds);
        Str(outPath); Str(errPath);
        _w.Write(args.Count + 1);
        Str(exe);
        foreach (var a in args) Str(a);
        _w.Flush();
        int pid = _r.ReadInt32();
        long start = _r.ReadInt64();
        bool timedOut = _r.ReadInt32() != 0;
        ReadExits();
        if (pid < 0) throw new CommandFailed($"fork for {exe}: {Posix.StrError(-pid)}");
        var exit = _reaped[pid];
        _reaped.Remove(pid);
        var stdout = File.ReadAllText(outPath);
        if (timedOut)
            throw new CommandFailed($"{Path.GetFileName(exe)} {string.Join(' ', args)}: timed out after {limit.TotalSeconds:0} s");
        if (!Posix.ExitedZero(exit.Status))
        {
            var err = File.ReadAllText(errPath).Trim();
            if (err.Length == 0) err = stdout.Trim();
            throw new CommandFailed($"{Posix.DescribeStatus(exit.Status)}: {FirstLines(err)}");
        }
        return new Finished((exit.EndNs - start) / 1e6, exit.MaxRssKb, exit.EndNs, stdout);
    }

    /// <summary>Waits until <paramref name="pid"/> (a container init reparented to spawnd) has
    /// exited; it may have been reaped earlier while something else ran. Killed after the timeout.</summary>
    public Exit WaitFor(int pid, TimeSpan timeout, out bool timedOut)
    {
        timedOut = false;
        if (!_reaped.ContainsKey(pid))
        {
            _w.Write(2); _w.Write(pid); _w.Write((int)timeout.TotalMilliseconds); _w.Flush();
            int result = _r.ReadInt32();
            ReadExits();
            if (result == 2) throw new CommandFailed($"process {pid} is not a child of the harness's launcher (not reparented to it?)");
            timedOut = result == 1;
        }
        var exit = _reaped[pid];
        _reaped.Remove(pid);
        return exit;
    }

    /// <summary>The exit of a process, if it has exited (reaping whatever has).</summary>
    public bool TryTakeExit(int pid, out Exit exit)
    {
        ReapAvailable();
        return _reaped.Remove(pid, out exit);
    }

    /// <summary>Reaps whatever has exited, without blocking.</summary>
    public void ReapAvailable()
    {
        _w.Write(3); _w.Flush();
        ReadExits();
    }

    /// <summary>Forgets exits nobody asked for (intermediate runtime processes), so a later process
    /// with a reused pid is never mistaken for one of them.</summary>
    public void ForgetReaped() => _reaped.Clear();

    public void Dispose()
    {
        _w.Dispose(); // EOF on its request pipe: spawnd exits
        _r.Dispose();
    }

    private void ReadExits()
    {
        int n = _r.ReadInt32();
        for (int i = 0; i < n; i++)
        {
            var e = new Exit(_r.ReadInt32(), _r.ReadInt32(), _r.ReadInt64(), _r.ReadInt64());
            _reaped[e.Pid] = e;
        }
    }

    private void Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        _w.Write(b.Length);
        _w.Write(b);
    }

    /// <summary>posix_spawn of spawnd with the request pipe as stdin and the reply pipe as stdout,
    /// default signal dispositions (.NET ignores SIGPIPE) and no blocked signals.</summary>
    private static int StartServer(string spawnd, int stdinFd, int stdoutFd)
    {
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").ToArray();
        byte** argv = ToNative([spawnd]);
        byte** envp = ToNative(env);
        byte* path = Utf8(spawnd);
        byte* fa = stackalloc byte[Posix.FileActionsSize];
        byte* attr = stackalloc byte[Posix.SpawnAttrSize];
        byte* empty = stackalloc byte[Posix.SigSetSize];
        byte* defaults = stackalloc byte[Posix.SigSetSize];
        try
        {
            Posix.FileActionsInit(fa);
            Posix.FileActionsAddDup2(fa, stdinFd, 0);
            Posix.FileActionsAddDup2(fa, stdoutFd, 1);
            Posix.SpawnAttrInit(attr);
            Posix.SigEmptySet(empty);
            Posix.SigEmptySet(defaults);
            Posix.SigAddSet(defaults, Posix.SIGPIPE);
            Posix.SpawnAttrSetSigMask(attr, empty);
            Posix.SpawnAttrSetSigDefault(attr, defaults);
            Posix.SpawnAttrSetFlags(attr, Posix.POSIX_SPAWN_SETSIGMASK | Posix.POSIX_SPAWN_SETSIGDEF);
            int pid;
            int rc = Posix.PosixSpawn(&pid, path, fa, attr, argv, envp);
            if (rc != 0) throw new InvalidOperationException($"posix_spawn {spawnd}: {Posix.StrError(rc)}");
            return pid;
        }
        finally
        {
            Posix.FileActionsDestroy(fa);
            Posix.SpawnAttrDestroy(attr);
            FreeNative(argv); FreeNative(envp);
            NativeMemory.Free(path);
        }
    }

    private static string FirstLines(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = string.Join(" / ", lines.Take(3));
        return text.Length > 300 ? text[..300] + "…" : text;
    }

    private static byte* Utf8(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static byte** ToNative(string[] items)
    {
        var v = (byte**)NativeMemory.Alloc((nuint)(items.Length + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < items.Length; i++) v[i] = Utf8(items[i]);
        v[items.Length] = null;
        return v;
    }

    private static void FreeNative(byte** v)
    {
        for (int i = 0; v[i] != null; i++) NativeMemory.Free(v[i]);
        NativeMemory.Free(v);
    }
}
