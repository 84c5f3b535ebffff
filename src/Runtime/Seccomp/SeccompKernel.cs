using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>What the running kernel's seccomp supports, asked without installing anything.</summary>
internal static unsafe class SeccompKernel
{
    private static readonly Dictionary<uint, bool> FlagCache = new(), ActionCache = new();

    /// <summary>True if seccomp(SECCOMP_SET_MODE_FILTER) accepts <paramref name="flags"/>. The kernel
    /// validates flags before it reads the program, so a NULL program gives EFAULT for known flags
    /// and EINVAL for unknown ones (libseccomp probes the same way); nothing is installed.</summary>
    public static bool FlagsSupported(uint flags)
    {
        lock (FlagCache)
        {
            if (!FlagCache.TryGetValue(flags, out bool ok))
                FlagCache[flags] = ok = Libc.Seccomp(Libc.SECCOMP_SET_MODE_FILTER, flags, null) == -1 && Libc.LastErrno == Errnos.EFAULT;
            return ok;
        }
    }

    /// <summary>True if a single seccomp(2) flag bit is supported; WAIT_KILLABLE_RECV is only valid
    /// together with NEW_LISTENER, so it is asked that way.</summary>
    public static bool FlagSupported(uint bit) =>
        bit == Libc.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
            ? FlagsSupported(bit | Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER)
            : FlagsSupported(bit);

    /// <summary>SECCOMP_GET_ACTION_AVAIL for a SECCOMP_RET_* action (data bits ignored).</summary>
    public static bool ActionAvailable(uint action)
    {
        action &= ~Libc.SECCOMP_RET_DATA;
        lock (ActionCache)
        {
            if (!ActionCache.TryGetValue(action, out bool ok))
                ActionCache[action] = ok = Libc.Seccomp(Libc.SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
            return ok;
        }
    }
}
