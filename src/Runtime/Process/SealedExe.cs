using Runtime.Linux;

namespace Runtime.Process;

/// <summary>
/// CVE-2019-5736: a container process that can open /proc/&lt;pid&gt;/exe of a runtime process inside
/// it could overwrite the runtime binary on the host. Every process we start inside a container
/// therefore runs from a copy of ourselves nobody can write to.
///
/// Preferred: a read-only bind mount of our binary, made in a private mount namespace of one
/// short-lived thread (unshare(CLONE_FS) gives the thread its own fs context, after which
/// CLONE_NEWNS is allowed even in a multi-threaded process), opened, then detached: the open file
/// lives on a read-only mount no one else can reach, so writes through /proc/PID/exe fail with EROFS.
/// It costs microseconds. Fallback: a sealed memfd copy (F_SEAL_WRITE), which costs a copy of the
/// binary per container.
/// </summary>
internal static unsafe class SealedExe
{
    /// <summary>A close-on-exec fd of an unwritable copy of our binary; exec it via /proc/self/fd/N.</summary>
    public static int Create()
    {
        int fd = -1;
        var thread = new Thread(() => fd = OpenReadOnlyBind(), 64 * 1024) { IsBackground = true };
        thread.Start();
        thread.Join();
        return fd >= 0 ? fd : CreateMemfd();
    }

    private static int OpenReadOnlyBind()
    {
        // This thread only: its own fs context, then its own mount namespace; it exits right after.
        if (Libc.Unshare(0x200 /* CLONE_FS */) == -1 || Libc.Unshare((int)Libc.CLONE_NEWNS) == -1)
            return -1;
        if (Libc.Mount(null, "/", null, Libc.MS_SLAVE | Libc.MS_REC, null) == -1)
            return -1;
        string exe;
        try
        {
            exe = new FileInfo("/proc/self/exe").LinkTarget ?? "";
        }
        catch (IOException)
        {
            return -1;
        }
        if (exe.Length == 0 || exe.EndsWith(" (deleted)"))
            return -1;
        if (Libc.Mount(exe, exe, null, Libc.MS_BIND, null) == -1)
            return -1;
        int fd = -1;
        if (Libc.Mount(null, exe, null, Libc.MS_BIND | Libc.MS_REMOUNT | Libc.MS_RDONLY, null) == 0)
            fd = Libc.Open(exe, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        Libc.Umount2(exe, Libc.MNT_DETACH);
        if (fd >= 0 && !IsOnReadOnlyMount(fd))
        {
            Libc.Close(fd);
            fd = -1;
        }
        return fd;
    }

    private static bool IsOnReadOnlyMount(int fd) => Libc.Fstatfs(fd, out var st) == 0 && (st.Flags & 1 /* ST_RDONLY */) != 0;

    private static int CreateMemfd()
    {
        int src = Libc.Check(Libc.Open("/proc/self/exe", Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open /proc/self/exe");
        int memfd = -1;
        try
        {
            memfd = Libc.Check(Libc.MemfdCreate("runtime", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING), "memfd_create");
            while (true)
            {
                nint n = Libc.SendFile(memfd, src, null, 1 << 30);
                if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                if (Libc.Check(n, "copy /proc/self/exe into a memfd") == 0) break;
            }
            Libc.Check(Libc.Fcntl(memfd, Libc.F_ADD_SEALS, Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE),
                "seal the runtime copy");
            return memfd;
        }
        catch
        {
            if (memfd >= 0) Libc.Close(memfd);
            throw;
        }
        finally
        {
            Libc.Close(src);
        }
    }
}
