using System.Diagnostics;

namespace Runtime.Testing;

/// <summary>Runs the published `runtime` binary (out/runtime, or $RUNTIME_BINARY) and captures what it does.</summary>
public static class RuntimeBinary
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Path { get; } =
        Environment.GetEnvironmentVariable("RUNTIME_BINARY") is { Length: > 0 } p ? p : System.IO.Path.Combine(RepoRoot, "out", "runtime");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Runtime.sln")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Runtime.sln) above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Runs `runtime args…` with a timeout; a hang fails the test instead of blocking the suite.</summary>
    public static Result Run(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IDictionary<string, string>? env = null, string? workDir = null) =>
        Exec(Path, args, stdin, timeout, env, workDir);

    public static Result Run(params string[] args) => Run((IEnumerable<string>)args);

    public static Result Exec(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IDictionary<string, string>? env = null, string? workDir = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workDir != null) psi.WorkingDirectory = workDir;
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var proc = System.Diagnostics.Process.Start(psi)!;
        var stdout = proc.StandardOutput.ReadToEndAsync();
        var stderr = proc.StandardError.ReadToEndAsync();
        if (stdin != null) proc.StandardInput.Write(stdin);
        proc.StandardInput.Close();
        if (!proc.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
        {
            proc.Kill(entireProcessTree: true);
            proc.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        proc.WaitForExit();
        return new Result(proc.ExitCode, stdout.Result, stderr.Result);
    }
}
