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

    /// <summary>
    /// Runs <paramref name="file"/> with its stdout and stderr going to temporary files, not pipes:
    /// `create` hands its stdio to the container's init, which keeps them open after we exit, so
    /// waiting for EOF on a pipe would hang the test.
    /// </summary>
    public static Result Exec(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IDictionary<string, string>? env = null, string? workDir = null)
    {
        var outFile = System.IO.Path.GetTempFileName();
        var errFile = System.IO.Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
            if (workDir != null) psi.WorkingDirectory = workDir;
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$0\" \"$@\" >\"$RT_TEST_OUT\" 2>\"$RT_TEST_ERR\"");
            psi.ArgumentList.Add(file);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["RT_TEST_OUT"] = outFile;
            psi.Environment["RT_TEST_ERR"] = errFile;
            if (env != null)
                foreach (var (k, v) in env) psi.Environment[k] = v;
            using var proc = System.Diagnostics.Process.Start(psi)!;
            if (stdin != null) proc.StandardInput.Write(stdin);
            proc.StandardInput.Close();
            if (!proc.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                proc.Kill(entireProcessTree: true);
                proc.WaitForExit();
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
            }
            return new Result(proc.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
        }
        finally
        {
            File.Delete(outFile);
            File.Delete(errFile);
        }
    }
}
