using Runtime.Linux;

namespace Runtime.Rootfs;

/// <summary>Makes the rootfs the process's "/".</summary>
internal static class PivotRoot
{
    /// <summary>pivot_root(".", ".") then detach the old root stacked underneath (runc's trick: no
    /// temporary directory in the rootfs needed).</summary>
    public static void Pivot(string rootfs)
    {
        int oldRoot = Libc.Check(Libc.Open("/", Libc.O_DIRECTORY | Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open the old root");
        int newRoot = Libc.Check(Libc.Open(rootfs, Libc.O_DIRECTORY | Libc.O_RDONLY | Libc.O_CLOEXEC, 0), $"open rootfs {rootfs}");
        try
        {
            Libc.Check(Libc.Fchdir(newRoot), $"chdir {rootfs}");
            Libc.Check(Libc.PivotRoot(".", "."), $"pivot_root {rootfs}");
            Libc.Check(Libc.Fchdir(oldRoot), "chdir to the old root");
            // The old root must not propagate our unmount back to the host.
            Libc.Check(Libc.Mount(null, ".", null, Libc.MS_SLAVE | Libc.MS_REC, null), "make the old root rslave");
            Libc.Check(Libc.Umount2(".", Libc.MNT_DETACH), "unmount the old root");
            Libc.Check(Libc.Chdir("/"), "chdir /");
        }
        finally
        {
            Libc.Close(oldRoot);
            Libc.Close(newRoot);
        }
    }

    /// <summary>--no-pivot: move the rootfs over "/" and chroot (for ramfs roots where pivot_root fails).</summary>
    public static void MoveAndChroot(string rootfs)
    {
        Libc.Check(Libc.Chdir(rootfs), $"chdir {rootfs}");
        Libc.Check(Libc.Mount(rootfs, "/", null, Libc.MS_MOVE, null), $"move {rootfs} to /");
        Libc.Check(Libc.Chroot("."), "chroot");
        Libc.Check(Libc.Chdir("/"), "chdir /");
    }
}
