using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// What the rootfs-escape tests observe. A container's mount namespace is private, and after
/// pivot_root a mount made on a host path outside the rootfs is gone from every view we have, so the
/// tests look from inside it before the pivot: a createContainer hook (it runs in the container's
/// mount namespace, before pivot_root, as in runc) writes /proc/self/mountinfo to a host file.
/// A sentinel directory outside the rootfs, where the hostile symlinks point, must stay untouched.
/// </summary>
internal sealed class OutsideTheRootfs
{
    private readonly ContainerHarness _h;
    private readonly string _dumps;
    private readonly string[] _before;
    private int _n;

    /// <summary>The host directory outside the rootfs that the symlinks point at.</summary>
    public string Sentinel { get; }

    public OutsideTheRootfs(ContainerHarness h, string name = "sentinel")
    {
        _h = h;
        Sentinel = h.NewDir(name);
        File.WriteAllText(Path.Combine(Sentinel, "host-file"), "HOST-FILE\n");
        _dumps = h.NewDir(name + "-mountinfo");
        _before = Tree(Sentinel);
    }

    /// <summary>Adds the hook that records the container's mounts before pivot_root; returns the file it writes.</summary>
    public string RecordMounts(BundleBuilder b)
    {
        var file = Path.Combine(_dumps, $"{Interlocked.Increment(ref _n)}.mountinfo");
        b.Edit(c => c.Remove("hooks"));
        b.ShellHook("createContainer", $"cat /proc/self/mountinfo > {file}");
        return file;
    }

    /// <summary>Every mount under the test's directory is inside <paramref name="rootfs"/>, none is
    /// at or under the sentinel or <paramref name="alsoForbidden"/>; the sentinel's tree is unchanged.</summary>
    public void AssertNothingEscaped(string rootfs, string? mountinfoFile, params string[] alsoForbidden)
    {
        if (mountinfoFile != null && File.Exists(mountinfoFile))
        {
            var mounts = MountInfo.Parse(File.ReadAllText(mountinfoFile));
            foreach (var m in mounts)
            {
                Assert.That(IsUnder(m.MountPoint, Sentinel), Is.False, $"a mount landed on the sentinel outside the rootfs: {m}");
                foreach (var f in alsoForbidden)
                    Assert.That(IsUnder(m.MountPoint, f), Is.False, $"a mount landed on {f} outside the rootfs: {m}");
                if (IsUnder(m.MountPoint, _h.Dir))
                    Assert.That(IsUnder(m.MountPoint, rootfs), $"a mount outside the rootfs {rootfs}: {m}");
            }
        }
        Assert.That(Tree(Sentinel), Is.EqualTo(_before), $"something was created or removed in {Sentinel}");
    }

    public static bool IsUnder(string path, string dir) => path == dir || path.StartsWith(dir.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>Every entry under <paramref name="dir"/> with its type, sorted (symlinks not followed).</summary>
    public static string[] Tree(string dir)
    {
        var entries = new List<string>();
        void Walk(DirectoryInfo d)
        {
            foreach (var i in d.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
            {
                bool link = i.LinkTarget != null;
                entries.Add($"{Path.GetRelativePath(dir, i.FullName)} {(link ? "link" : i is DirectoryInfo ? "dir" : "file")}");
                if (!link && i is DirectoryInfo sub)
                    Walk(sub);
            }
        }
        Walk(new DirectoryInfo(dir));
        return entries.Order(StringComparer.Ordinal).ToArray();
    }
}
