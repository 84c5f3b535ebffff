using System.Text;
using System.Text.Json;
using Runtime.Linux;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Hooks;

/// <summary>
/// Runs OCI hooks: each gets the state JSON on stdin, exactly its args and env, and is killed when its
/// timeout expires. Its output is captured (in a memfd, so a chatty hook can never block us) and shown
/// in the error if it fails. A hook that does not read stdin cannot hurt us: the state is smaller than
/// a pipe buffer and .NET ignores SIGPIPE.
/// </summary>
internal static unsafe class HookRunner
{
    /// <summary>Runs every hook in order; the first failure throws (prestart, createRuntime, createContainer, startContainer).</summary>
    public static void RunAll(IReadOnlyList<Hook>? hooks, string kind, OciState state)
    {
        if (hooks == null) return;
        var json = JsonSerializer.SerializeToUtf8Bytes(state, SpecJsonContext.Default.OciState);
        for (int i = 0; i < hooks.Count; i++)
            RunOne(hooks[i], $"hooks.{kind}[{i}]", json);
    }

    /// <summary>Runs every hook even when some fail (poststart, poststop); returns the failures.</summary>
    public static List<string> RunAllCollectingErrors(IReadOnlyList<Hook>? hooks, string kind, OciState state)
    {
        var errors = new List<string>();
        if (hooks == null) return errors;
        var json = JsonSerializer.SerializeToUtf8Bytes(state, SpecJsonContext.Default.OciState);
        for (int i = 0; i < hooks.Count; i++)
        {
            try
            {
                RunOne(hooks[i], $"hooks.{kind}[{i}]", json);
            }
            catch (RuntimeException e)
            {
                errors.Add(e.Message);
            }
        }
        return errors;
    }

    private static void RunOne(Hook hook, string field, byte[] stateJson)
    {
        if (string.IsNullOrEmpty(hook.Path))
            throw new RuntimeException($"{field}: path is required");
        int* p = stackalloc int[2];
        Libc.Check(Libc.Pipe2(p, Libc.O_CLOEXEC), $"{field}: pipe");
        int readEnd = p[0], writeEnd = p[1];
        int output = -1, pidfd = -1, pid = 0;
        try
        {
            output = Libc.Check(Libc.MemfdCreate("hook-output", Libc.MFD_CLOEXEC), $"{field}: memfd");
            var args = hook.Args is { Count: > 0 } a ? a : new List<string> { hook.Path };
            try
            {
                pid = Spawner.Spawn(hook.Path, args, hook.Env ?? new List<string>(),
                    new[] { (readEnd, 0), (output, 1), (output, 2) });
            }
            catch (SyscallException e)
            {
                throw new RuntimeException($"{field}: cannot run {hook.Path}: {Errnos.Describe(e.Errno)}");
            }
            Libc.Close(readEnd);
            readEnd = -1;
            // A state bigger than the pipe buffer blocks until the hook reads: write it from a thread so
            // the timeout still holds for a hook that never does (its death ends the write with EPIPE).
            int stdinFd = writeEnd;
            writeEnd = -1;
            var writer = new Thread(() => WriteAndClose(stdinFd, stateJson)) { IsBackground = true };
            writer.Start();

            int status = WaitWithTimeout(pid, hook.Timeout, field, out bool timedOut);
            writer.Join();
            pid = 0;
            if (timedOut)
                throw new RuntimeException($"{field} ({hook.Path}): timed out after {hook.Timeout}s and was killed{Output(output)}");
            if (status != 0)
            {
                var how = (status & 0x7f) == 0 ? $"exit status {(status >> 8) & 0xff}" : $"killed by signal {status & 0x7f}";
                throw new RuntimeException($"{field} ({hook.Path}): {how}{Output(output)}");
            }
        }
        finally
        {
            if (readEnd >= 0) Libc.Close(readEnd);
            if (writeEnd >= 0) Libc.Close(writeEnd);
            if (output >= 0) Libc.Close(output);
            if (pidfd >= 0) Libc.Close(pidfd);
            if (pid > 0)
            {
                Libc.Kill(pid, Libc.SIGKILL);
                Spawner.Wait(pid);
            }
        }
    }

    private static void WriteAndClose(int fd, byte[] data)
    {
        fixed (byte* s = data)
        {
            for (int off = 0; off < data.Length;)
            {
                nint n = Libc.Write(fd, s + off, data.Length - off);
                if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                if (n == -1) break; // EPIPE: the hook does not read its stdin; that is its right
                off += (int)n;
            }
        }
        Libc.Close(fd);
    }

    private static int WaitWithTimeout(int pid, int? timeoutSeconds, string field, out bool timedOut)
    {
        timedOut = false;
        if (timeoutSeconds is > 0)
        {
            int pidfd = Libc.Check(Libc.PidfdOpen(pid), $"{field}: pidfd_open");
            try
            {
                if (PidfdWait.ForExit(pidfd, (int)Math.Min(timeoutSeconds.Value * 1000L, int.MaxValue)))
                    return Spawner.Wait(pid);
                timedOut = true;
                Libc.Kill(pid, Libc.SIGKILL);
                Spawner.Wait(pid);
                return -1;
            }
            finally
            {
                Libc.Close(pidfd);
            }
        }
        return Spawner.Wait(pid);
    }

    private static string Output(int fd)
    {
        var buf = new byte[4096];
        long size = Libc.Lseek(fd, 0, 1 /* SEEK_CUR */);
        long start = Math.Max(0, size - buf.Length);
        fixed (byte* b = buf)
        {
            nint n = Libc.Pread(fd, b, buf.Length, start);
            if (n <= 0) return "";
            var text = Encoding.UTF8.GetString(buf, 0, (int)n).Trim();
            return text.Length == 0 ? "" : $": {text}";
        }
    }
}
