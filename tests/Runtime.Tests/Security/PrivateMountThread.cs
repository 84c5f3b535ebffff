using Runtime.Linux;
using Runtime.Tests.Seccomp;

namespace Runtime.Tests.Security;

/// <summary>Runs code on a thread with its own mount namespace (unshare CLONE_FS, then CLONE_NEWNS,
/// everything made private first): mounts made there never reach the test host's namespace and
/// vanish with the thread.</summary>
internal static class PrivateMountThread
{
    public static T Run<T>(Func<T> body) => DedicatedThread.Run(() =>
    {
        Libc.Check(Libc.Unshare(0x200 /* CLONE_FS */), "unshare(CLONE_FS)");
        Libc.Check(Libc.Unshare((int)Libc.CLONE_NEWNS), "unshare(CLONE_NEWNS)");
        Libc.Check(Libc.Mount(null, "/", null, Libc.MS_PRIVATE | Libc.MS_REC, null), "make / rprivate");
        return body();
    });
}
