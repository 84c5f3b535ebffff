using Runtime.Linux;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Init;

/// <summary>
/// Everything about the process itself, in runc's order, shared by create and exec: rlimits,
/// personality, keyring, then credentials and capabilities (bounding set first, groups before uid),
/// no_new_privs, umask, cwd, fd hygiene, and the executable lookup. All on the calling thread,
/// which is the one that execs.
/// </summary>
internal static unsafe class ProcessSetup
{
    internal static readonly Dictionary<string, int> RlimitTypes = new()
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3, ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7, ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11, ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };

    public static void SetRlimits(List<PosixRlimit>? rlimits)
    {
        for (int i = 0; i < (rlimits?.Count ?? 0); i++)
        {
            var r = rlimits![i];
            var field = $"process.rlimits[{i}]";
            if (r.Type == null || !RlimitTypes.TryGetValue(r.Type, out int resource))
                throw new RuntimeException($"{field}.type: unknown rlimit \"{r.Type}\"");
            var lim = new Libc.Rlimit { Cur = r.Soft, Max = r.Hard };
            if (Libc.Prlimit(0, resource, &lim, null) == -1)
                throw new SyscallException($"{field}: setrlimit {r.Type} soft={r.Soft} hard={r.Hard}", Libc.LastErrno);
        }
    }

    public static void JoinSessionKeyring(string id, bool noNewKeyring)
    {
        if (noNewKeyring) return;
        var name = NativeStrings.Utf8("_ses." + id);
        try
        {
            // KEYCTL_JOIN_SESSION_KEYRING; kernels or seccomp profiles without keyrings: carry on like runc.
            if (Libc.Keyctl(1, (nint)name) == -1 && Libc.LastErrno is not (Errnos.ENOSYS or Errnos.EPERM or Errnos.EACCES))
                throw new SyscallException("join a new session keyring", Libc.LastErrno);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(name);
        }
    }

    /// <summary>Drops the bounding set, switches user and group keeping capabilities across the switch,
    /// then sets the exact permitted/effective/inheritable/ambient sets the spec lists.</summary>
    /// <param name="keepSysAdmin">keep CAP_SYS_ADMIN effective past the switch: loading a seccomp filter
    /// without no_new_privs needs it; <see cref="SetCapabilities"/> drops it right after the load.</param>
    public static void SetUserAndCapabilities(User? user, LinuxCapabilities? caps, bool keepSysAdmin = false)
    {
        int last = Capabilities.LastCap;
        var bounding = Mask(caps?.Bounding, "process.capabilities.bounding", last);
        for (int c = 0; c <= last; c++)
            if ((bounding & (1UL << c)) == 0 && Libc.Prctl(Libc.PR_CAPBSET_DROP, (nuint)c, 0, 0, 0) == -1 && Libc.LastErrno != Errnos.EINVAL)
                throw new SyscallException($"drop {Capabilities.Names[c]} from the bounding set", Libc.LastErrno);

        Libc.Check(Libc.Prctl(Libc.PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");
        uint uid = user?.Uid ?? 0, gid = user?.Gid ?? 0;
        var groups = user?.AdditionalGids?.ToArray() ?? Array.Empty<uint>();
        if (Libc.SetgroupsThread(groups) == -1 && !(Libc.LastErrno == Errnos.EPERM && groups.Length == 0))
            throw new SyscallException($"process.user.additionalGids: setgroups [{string.Join(",", groups)}]", Libc.LastErrno);
        Libc.Check(Libc.SetresgidThread(gid, gid, gid), $"process.user.gid: setgid {gid}");
        Libc.Check(Libc.SetresuidThread(uid, uid, uid), $"process.user.uid: setuid {uid}");
        Libc.Check(Libc.Prctl(Libc.PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS, 0)");

        SetCapabilities(caps, keepSysAdmin ? 1UL << 21 /* CAP_SYS_ADMIN */ : 0);

        ulong ambient = Mask(caps?.Ambient, "process.capabilities.ambient", last);
        Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        for (int c = 0; c <= last; c++)
            // An ambient cap must also be permitted and inheritable; runc's own default spec lists
            // ambient caps without inheritable ones, so like runc this is a note, not a failure.
            if ((ambient & (1UL << c)) != 0 && Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, (nuint)c, 0, 0) == -1)
                Logging.Log.Debug($"can't raise ambient capability {Capabilities.Names[c]}: {Errnos.Describe(Libc.LastErrno)}");
    }

    /// <summary>capset: exactly the spec's effective/permitted/inheritable sets, plus <paramref name="extra"/>.</summary>
    public static void SetCapabilities(LinuxCapabilities? caps, ulong extra = 0)
    {
        int last = Capabilities.LastCap;
        ulong effective = Mask(caps?.Effective, "process.capabilities.effective", last) | extra;
        ulong permitted = Mask(caps?.Permitted, "process.capabilities.permitted", last) | extra;
        // CVE-2022-29162: inheritable only when the spec asks for it.
        ulong inheritable = Mask(caps?.Inheritable, "process.capabilities.inheritable", last);
        var header = new Libc.CapHeader { Version = Libc.LINUX_CAPABILITY_VERSION_3 };
        var data = stackalloc Libc.CapData[2];
        data[0] = new Libc.CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new Libc.CapData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        Libc.Check(Libc.Capset(&header, data), "capset (process.capabilities)");
    }

    private static ulong Mask(List<string>? names, string field, int last)
    {
        ulong mask = 0;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            var c = Capabilities.ByName(names![i]) ?? throw new RuntimeException($"{field}[{i}]: unknown capability \"{names[i]}\"");
            if (c <= last)
                mask |= 1UL << c; // known to us but not to this kernel: ignored, as runc warns and skips
        }
        return mask;
    }

    public static void SetNoNewPrivileges(bool nnp)
    {
        if (nnp)
            Libc.Check(Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
    }

    /// <summary>chdir to the cwd and prove it is inside the container: a cwd reached through a leaked
    /// host fd (/proc/self/fd/N, CVE-2024-21626) has no path from our root and getcwd reports it.</summary>
    public static void EnterCwd(string? cwd)
    {
        var dir = string.IsNullOrEmpty(cwd) ? "/" : cwd;
        if (Libc.Chdir(dir) == -1)
            throw new SyscallException($"process.cwd: chdir to cwd (\"{dir}\") set in config.json failed", Libc.LastErrno);
        string actual;
        try
        {
            actual = Directory.GetCurrentDirectory();
        }
        catch (Exception)
        {
            actual = "(unreachable)";
        }
        if (!actual.StartsWith('/'))
            throw new RuntimeException($"process.cwd: \"{dir}\" is outside the container's root: refusing to run there");
    }

    /// <summary>Marks every fd from 3+preserveFds up close-on-exec, so nothing of ours reaches the
    /// container (our own fds stay usable until the exec).</summary>
    public static void CloseFdsOnExec(int preserveFds)
    {
        if (Libc.CloseRange((uint)(3 + preserveFds), uint.MaxValue, 4 /* CLOSE_RANGE_CLOEXEC */) == 0)
            return;
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            if (int.TryParse(Path.GetFileName(entry), out int fd) && fd >= 3 + preserveFds)
                Libc.Fcntl(fd, Libc.F_SETFD, Libc.FD_CLOEXEC);
    }

    /// <summary>runc's environment additions: HOME from the container's /etc/passwd when the config has
    /// none (else "/"), and LISTEN_FDS/LISTEN_PID when socket-activation fds were passed through.</summary>
    public static void CompleteEnv(Spec.Process process, int listenFds)
    {
        var env = process.Env ??= new List<string>();
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            env.Add("HOME=" + HomeOf(process.User?.Uid ?? 0));
        if (listenFds > 0)
        {
            env.RemoveAll(e => e.StartsWith("LISTEN_FDS=", StringComparison.Ordinal) || e.StartsWith("LISTEN_PID=", StringComparison.Ordinal));
            env.Add($"LISTEN_FDS={listenFds}");
            env.Add($"LISTEN_PID={Libc.GetPid()}");
        }
    }

    private static string HomeOf(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length >= 6 && f[2] == uid.ToString() && f[5].Length > 0)
                    return f[5];
            }
        }
        catch (IOException)
        {
        }
        return "/";
    }

    /// <summary>The executable for args[0]: as given if it has a slash, else the first executable
    /// regular file on the process's PATH. A missing command fails create, like runc.</summary>
    public static string LookPath(Spec.Process process)
    {
        var args = process.Args;
        if (args == null || args.Count == 0 || string.IsNullOrEmpty(args[0]))
            throw new RuntimeException("process.args: must contain at least the program to run");
        var name = args[0];
        if (name.Contains('/'))
        {
            CheckExecutable(name, name);
            return name;
        }
        var path = process.Env?.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..]
                   ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (IsExecutableFile(candidate))
                return candidate;
        }
        throw new RuntimeException($"exec: \"{name}\": executable file not found in $PATH");
    }

    private static void CheckExecutable(string path, string name)
    {
        if (!File.Exists(path))
            throw new RuntimeException($"exec: \"{name}\": stat {path}: no such file or directory");
        if (!IsExecutableFile(path))
            throw new RuntimeException($"exec: \"{name}\": permission denied");
    }

    private static bool IsExecutableFile(string path) =>
        Libc.FstatAt(Libc.AT_FDCWD, path, out var st, 0) == 0 && (st.Mode & Libc.S_IFMT) == Libc.S_IFREG && (st.Mode & 0x49) != 0;

    /// <summary>Replaces this process with the container's program. Returns only by throwing.</summary>
    public static void Exec(string path, Spec.Process process)
    {
        using var argv = new NativeStrings(process.Args!);
        using var envp = new NativeStrings(process.Env ?? new List<string>());
        var p = NativeStrings.Utf8(path);
        Libc.Execve(p, argv.Pointer, envp.Pointer);
        int errno = Libc.LastErrno;
        System.Runtime.InteropServices.NativeMemory.Free(p);
        throw new SyscallException($"exec {path}", errno);
    }
}
