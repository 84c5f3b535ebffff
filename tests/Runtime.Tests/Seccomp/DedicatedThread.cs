using System.Runtime.ExceptionServices;

namespace Runtime.Tests.Seccomp;

/// <summary>
/// Runs code on a fresh OS thread of the test process, for per-thread kernel state that must not
/// leak into the test host. A seccomp filter loaded without TSYNC binds only the calling thread and
/// dies with it, so a test can load a real filter here and watch the kernel enforce it; filters used
/// this way must only touch syscalls the .NET runtime never makes on that thread (getcwd,
/// getpriority...). Capabilities, no_new_privs and (after unshare(CLONE_FS)) the mount namespace are
/// per thread too.
/// </summary>
internal static class DedicatedThread
{
    public static T Run<T>(Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30)))
            throw new TimeoutException("the filtered thread did not finish (a notified syscall nobody answered?)");
        error?.Throw();
        return result;
    }

    public static void Run(Action body) => Run(() =>
    {
        body();
        return 0;
    });
}
