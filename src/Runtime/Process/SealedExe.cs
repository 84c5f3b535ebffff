using Runtime.Linux;

namespace Runtime.Process;

/// <summary>
/// CVE-2019-5736: a container process that can open /proc/&lt;pid&gt;/exe of a runtime process inside
/// it could overwrite the runtime binary on the host. Every process we start inside a container
/// therefore runs from a sealed in-memory copy: writes to it fail whatever the container does.
/// </summary>
internal static unsafe class SealedExe
{
    /// <summary>A memfd holding a sealed copy of /proc/self/exe (close-on-exec; exec it via /proc/self/fd/N).</summary>
    public static int Create()
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
