namespace Runtime.Linux;

/// <summary>A failed syscall: carries the operation, the object it acted on and errno, so the
/// message a user sees says what failed where ("mount /proc -> /x/proc: EPERM (Operation not permitted)").</summary>
public sealed class SyscallException : Exception
{
    public int Errno { get; }
    public string Operation { get; }

    public SyscallException(string operation, int errno)
        : base($"{operation}: {Errnos.Describe(errno)}")
    {
        Operation = operation;
        Errno = errno;
    }
}
