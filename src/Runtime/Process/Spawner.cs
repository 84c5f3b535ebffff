using System.Runtime.InteropServices;
using Runtime.Linux;

namespace Runtime.Process;

/// <summary>Starts a program with posix_spawn: every signal back to its default disposition (.NET
/// ignores SIGPIPE, which would otherwise leak into containers and hooks) and an empty signal mask.</summary>
internal static unsafe class Spawner
{
    /// <param name="dup2">fd moves done in the child, in order (source, target).</param>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp,
        IReadOnlyList<(int From, int To)>? dup2 = null, string? chdir = null, bool newSession = false)
    {
        Libc.SpawnFileActions actions;
        Libc.SpawnAttr attr;
        Libc.SigSet all, none;
        Libc.SpawnFileActionsInit(&actions);
        Libc.SpawnAttrInit(&attr);
        try
        {
            Libc.SigFillSet(&all);
            Libc.SigEmptySet(&none);
            Libc.SpawnAttrSetSigDefault(&attr, &all);
            Libc.SpawnAttrSetSigMask(&attr, &none);
            short flags = Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK;
            if (newSession) flags |= Libc.POSIX_SPAWN_SETSID;
            Libc.SpawnAttrSetFlags(&attr, flags);
            if (dup2 != null)
                foreach (var (from, to) in dup2)
                    Libc.SpawnFileActionsAddDup2(&actions, from, to);
            if (chdir != null)
                Libc.SpawnFileActionsAddChdir(&actions, chdir);
            using var args = new NativeStrings(argv);
            using var env = new NativeStrings(envp);
            var p = NativeStrings.Utf8(path);
            try
            {
                int rc = Libc.PosixSpawn(out int pid, p, &actions, &attr, args.Pointer, env.Pointer);
                if (rc != 0)
                    throw new SyscallException($"exec {path}", rc);
                return pid;
            }
            finally
            {
                NativeMemory.Free(p);
            }
        }
        finally
        {
            Libc.SpawnAttrDestroy(&attr);
            Libc.SpawnFileActionsDestroy(&actions);
        }
    }

    /// <summary>waitpid with EINTR retry; returns the raw wait status.</summary>
    public static int Wait(int pid)
    {
        int status;
        int rc;
        while ((rc = Libc.WaitPid(pid, &status, 0)) == -1 && Libc.LastErrno == Errnos.EINTR) { }
        Libc.Check(rc, $"wait for pid {pid}");
        return status;
    }

    /// <summary>A shell-style exit code from a wait status: the exit status, or 128+signal.</summary>
    public static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
