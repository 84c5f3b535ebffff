using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>What the running kernel's seccomp supports, asked without installing anything (one
/// cheap syscall each, so not cached: the answer is per thread when an outer filter is in play). A
/// probe that cannot tell (an outer seccomp filter denies seccomp(2) to us, a kernel older than the
/// query) says Unknown: the compiler only refuses what the kernel definitely lacks, and loading is
/// the judge.</summary>
internal static unsafe class SeccompKernel
{
    public enum Support { Yes, No, Unknown }

    /// <summary>Does seccomp(SECCOMP_SET_MODE_FILTER) accept <paramref name="flags"/>? The kernel
    /// validates flags before it reads the program, so a NULL program gives EFAULT for known flags
    /// and EINVAL for unknown ones (libseccomp probes the same way); nothing is installed.</summary>
    public static Support ProbeFlags(uint flags)
    {
        if (Libc.Seccomp(Libc.SECCOMP_SET_MODE_FILTER, flags, null) != -1)
            return Support.Unknown; // cannot happen: a NULL program never loads
        return Libc.LastErrno switch
        {
            Errnos.EFAULT => Support.Yes,
            Errnos.EINVAL => Support.No,
            _ => Support.Unknown,
        };
    }

    /// <summary>The probe for one flag bit; WAIT_KILLABLE_RECV is only valid together with
    /// NEW_LISTENER, so it is asked that way.</summary>
    public static Support ProbeFlag(uint bit) =>
        ProbeFlags(bit == Libc.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? bit | Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER : bit);

    public static bool FlagsSupported(uint flags) => ProbeFlags(flags) == Support.Yes;

    public static bool FlagSupported(uint bit) => ProbeFlag(bit) == Support.Yes;

    /// <summary>SECCOMP_GET_ACTION_AVAIL (Linux 4.14) for a SECCOMP_RET_* action, data bits ignored:
    /// EOPNOTSUPP is a definite no.</summary>
    public static Support ProbeAction(uint action)
    {
        action &= ~Libc.SECCOMP_RET_DATA;
        if (Libc.Seccomp(Libc.SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
            return Support.Yes;
        return Libc.LastErrno == Errnos.EOPNOTSUPP ? Support.No : Support.Unknown;
    }

    public static bool ActionAvailable(uint action) => ProbeAction(action) == Support.Yes;
}
