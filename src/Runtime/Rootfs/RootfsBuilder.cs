using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Rootfs;

/// <summary>The container's filesystem before pivot_root, in runc's order: propagation of "/",
/// the rootfs bound onto itself, mounts[] in order, devices, the cwd.</summary>
internal static class RootfsBuilder
{
    public static void Prepare(Spec.Spec spec, string rootfs, string bundle, bool newNetNs, bool cgroupNs, bool userNs, bool selinuxEnabled)
    {
        // Nothing we mount may propagate back to the host: "/" is rslave while we work. The configured
        // propagation applies to the new root after pivot_root (pivot_root refuses a shared mount, and
        // an unbindable "/" could not be bound): see ApplyRootPropagation.
        Libc.Check(Libc.Mount(null, "/", null, Libc.MS_SLAVE | Libc.MS_REC, null), "make / rslave");
        Libc.Check(Libc.Mount(rootfs, rootfs, null, Libc.MS_BIND | Libc.MS_REC, null), $"root.path: bind {rootfs} onto itself");

        int rootFd = Libc.Check(Libc.Open(rootfs, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), $"root.path: open {rootfs}");
        try
        {
            var mounts = spec.Mounts ?? new List<Spec.Mount>();
            bool devBound = false;
            for (int i = 0; i < mounts.Count; i++)
            {
                var m = mounts[i];
                var entry = new MountEntry(rootFd, bundle, m, $"mounts[{i}] ({m.Source} -> {m.Destination})", spec.Linux?.MountLabel, selinuxEnabled);
                entry.Apply(newNetNs, cgroupNs);
                if (entry.Destination == "/dev" && MountOptions.Parse(m.Options).IsBind)
                    devBound = true;
            }
            // A /dev bound from the host already has its nodes; otherwise make ours.
            if (!devBound)
                Devices.Create(rootFd, spec.Linux?.Devices, userNs);
            if (!string.IsNullOrEmpty(spec.Process?.Cwd))
                Libc.Close(SecurePath.MkdirAll(rootFd, spec.Process.Cwd, 0x1ed, "process.cwd"));
        }
        finally
        {
            Libc.Close(rootFd);
        }
    }

    /// <summary>linux.rootfsPropagation on the container's "/" (default rslave, already set).</summary>
    public static void ApplyRootPropagation(Spec.Spec spec)
    {
        ulong propagation = spec.Linux?.RootfsPropagation switch
        {
            null or "" or "rslave" => 0,
            "shared" => Libc.MS_SHARED, "rshared" => Libc.MS_SHARED | Libc.MS_REC,
            "slave" => Libc.MS_SLAVE,
            "private" => Libc.MS_PRIVATE, "rprivate" => Libc.MS_PRIVATE | Libc.MS_REC,
            "unbindable" => Libc.MS_UNBINDABLE, "runbindable" => Libc.MS_UNBINDABLE | Libc.MS_REC,
            var other => throw new RuntimeException($"linux.rootfsPropagation: unknown value \"{other}\""),
        };
        if (propagation != 0)
            Libc.Check(Libc.Mount(null, "/", null, propagation, null), $"linux.rootfsPropagation: make / {spec.Linux!.RootfsPropagation}");
    }

    /// <summary>After pivot_root: masked and read-only paths, then a read-only root if asked.</summary>
    public static void Finish(Spec.Spec spec)
    {
        MaskedPaths.ReadOnly(spec.Linux?.ReadonlyPaths);
        MaskedPaths.Mask(spec.Linux?.MaskedPaths);
        if (spec.Root?.Readonly == true)
        {
            int root = Libc.Check(Libc.Open("/", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), "open /");
            try
            {
                MaskedPaths.RemountReadOnly(root, "/", "root.readonly");
            }
            finally
            {
                Libc.Close(root);
            }
        }
    }
}
