using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>
/// Installs a <see cref="CompiledFilter"/> on the calling thread with the raw seccomp(2) syscall:
/// no libseccomp, so it works inside any rootfs. The filter binds the calling thread only (we never
/// pass TSYNC): call it on the thread that will execve, as close to execve as possible, with nothing
/// but the exec (and, for notify, handing the listener fd over) left to do.
///
/// Without no_new_privs the kernel requires CAP_SYS_ADMIN in the current user namespace, so a
/// process that does not set noNewPrivileges must load before it drops capabilities and switches
/// user (runc's order); with noNewPrivileges set (prctl before this call) it can load last.
///
/// With a notify listener the fd has to reach the agent from the host side, while the parent still
/// waits: the init writes the fd number to the parent with write(2) (so the compiler refuses NOTIFY
/// on write), the parent copies it with <see cref="SeccompNotify.TakeListenerFd"/>, acks, then
/// sends it with <see cref="SeccompNotify.SendListenerFd"/>; the init closes its own copy, so that
/// notified syscalls fail with ENOSYS once the agent is gone instead of hanging.
/// </summary>
internal static unsafe class SeccompLoader
{
    /// <summary>Loads the filter; returns the notify listener fd (close-on-exec) when
    /// <see cref="CompiledFilter.NeedsListener"/>, else -1.</summary>
    public static int Load(CompiledFilter filter)
    {
        int rc;
        fixed (byte* p = filter.Program)
        {
            var prog = new Libc.SockFprog { Len = (ushort)filter.InstructionCount, Filter = (Libc.SockFilter*)p };
            rc = Libc.Seccomp(Libc.SECCOMP_SET_MODE_FILTER, filter.Flags, &prog);
        }
        if (rc == -1)
        {
            int errno = Libc.LastErrno;
            var hint = errno == Errnos.EACCES
                ? ": loading a filter needs no_new_privs or CAP_SYS_ADMIN (load it before dropping capabilities)"
                : errno == Errnos.EINVAL ? $": the kernel refused the program or flags 0x{filter.Flags:x}" : "";
            throw new SyscallException($"linux.seccomp: load seccomp filter ({filter.InstructionCount} instructions, flags 0x{filter.Flags:x}){hint}", errno);
        }
        return filter.NeedsListener ? rc : -1;
    }
}
