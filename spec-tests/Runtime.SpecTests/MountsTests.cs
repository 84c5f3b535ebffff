using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>
/// config.md "Mounts": every default filesystem, mounts[] in order, bind/rbind with each flag, the
/// recursive (mount_setattr) forms, propagation flags, and targets resolved inside the rootfs.
/// Mount targets are existing rootfs directories (/home, /var, /run, /root) or sit on a tmpfs the
/// config mounts first, so the shared rootfs is never written; tests that need new targets in the
/// rootfs use a private copy.
/// </summary>
[TestFixture]
public class MountsTests : SpecTest
{
    private const string Mountinfo = "cat /proc/self/mountinfo";

    private List<MountInfo> MountsInside(BundleBuilder b) => MountInfo.Parse(Inside(b.Shell(Mountinfo)));

    private static MountInfo At(List<MountInfo> mounts, string mountPoint) =>
        MountInfo.At(mounts, mountPoint) ?? throw new AssertionException($"no mount at {mountPoint}:\n{string.Join('\n', mounts)}");

    /// <summary>A host directory with a file and an executable script, to bind into containers.</summary>
    private string Source()
    {
        var src = H.NewDir("src");
        File.WriteAllText(Path.Combine(src, "hello"), "hello-from-host\n");
        File.WriteAllText(Path.Combine(src, "script"), "#!/bin/sh\necho script-ran\n");
        File.SetUnixFileMode(Path.Combine(src, "script"), (UnixFileMode)0x1ed);
        return src;
    }

    [Test]
    public void TheDefaultMountsAreThere()
    {
        var m = MountsInside(Bundle());
        Assert.Multiple(() =>
        {
            Assert.That(At(m, "/proc").FsType, Is.EqualTo("proc"));
            var dev = At(m, "/dev");
            Assert.That(dev.FsType, Is.EqualTo("tmpfs"));
            Assert.That(dev.SuperOptions, Does.Contain("mode=755"));
            Assert.That(dev.MountOptions, Does.Contain("nosuid"));
            var pts = At(m, "/dev/pts");
            Assert.That(pts.FsType, Is.EqualTo("devpts"));
            Assert.That(pts.SuperOptions, Does.Contain("ptmxmode=666"));
            Assert.That(pts.SuperOptions, Does.Contain("mode=620"));
            Assert.That(pts.SuperOptions, Does.Contain("gid=5"));
            Assert.That(pts.MountOptions, Does.Contain("noexec").And.Contain("nosuid"));
            var shm = At(m, "/dev/shm");
            Assert.That(shm.FsType, Is.EqualTo("tmpfs"));
            Assert.That(shm.MountOptions, Does.Contain("nodev").And.Contain("noexec").And.Contain("nosuid"));
            Assert.That(shm.SuperOptions, Does.Contain("size=65536k"));
            Assert.That(At(m, "/dev/mqueue").FsType, Is.EqualTo("mqueue"));
            var sys = At(m, "/sys");
            Assert.That(sys.FsType, Is.EqualTo("sysfs"));
            Assert.That(sys.ReadOnly, "sysfs is mounted ro");
            Assert.That(m.Where(x => x.MountPoint.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal)), Is.Not.Empty);
        });
    }

    [Test]
    public void TmpcopyupFillsTheTmpfsWithWhatItCovers()
    {
        // podman puts runc's tmpcopyup extension on its tmpfs mounts: consumed by the runtime, never
        // passed to the kernel (EINVAL), and the tmpfs starts with the covered directory's files.
        var output = Inside(Bundle("grep ' /etc ' /proc/mounts; cat /etc/passwd | head -1; touch /etc/new && echo writable")
            .AddMount("/etc", "tmpfs", "tmpfs", "tmpcopyup", "mode=755"));
        Assert.That(output, Does.Contain("tmpfs /etc tmpfs"));
        Assert.That(output, Does.Contain("root:x:0:0:root:/root:/bin/sh"));
        Assert.That(output, Does.Contain("writable"));
        Assert.That(File.Exists(Path.Combine(BundleBuilder.SharedRootfs, "etc", "new")), Is.False, "the write stays in the tmpfs");
    }

    [Test]
    public void DevptsIsANewInstance()
    {
        // newinstance: the container's devpts holds no host terminals, only its own ptmx.
        var output = Inside(Bundle("ls /dev/pts; readlink /dev/ptmx"));
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "ptmx", "pts/ptmx" }));
    }

    [Test]
    public void MountsAreAppliedInOrder()
    {
        var b = Bundle().AddMount("/run", "tmpfs", "tmpfs", "mode=755")
            .AddMount("/run/a", "tmpfs", "tmpfs", "size=1m")
            .AddMount("/run/a/b", "tmpfs", "tmpfs", "size=2m");
        var m = MountsInside(b);
        var run = At(m, "/run");
        var a = At(m, "/run/a");
        var ab = At(m, "/run/a/b");
        Assert.That(a.ParentId, Is.EqualTo(run.Id), "/run/a is mounted on the /run tmpfs");
        Assert.That(ab.ParentId, Is.EqualTo(a.Id), "/run/a/b is mounted on the /run/a tmpfs");
        Assert.That(ab.SuperOptions, Does.Contain("size=2048k"));
    }

    [Test]
    public void MissingTargetsAreCreatedInsideTheRootfs()
    {
        var b = Bundle().PrivateRootfs().ReadonlyRoot(true).AddMount("/new/dir/deep", "tmpfs", "tmpfs");
        var m = MountsInside(b);
        Assert.That(At(m, "/new/dir/deep").FsType, Is.EqualTo("tmpfs"));
        Assert.That(Directory.Exists(Path.Combine(b.Rootfs, "new", "dir", "deep")), "the target directory is made in the rootfs");
    }

    [Test]
    public void ASymlinkedTargetIsResolvedInsideTheRootfs()
    {
        var b = Bundle().PrivateRootfs();
        var outside = H.NewDir("outside");
        // Both an absolute link to a host path and a relative one climbing out must stay in the rootfs.
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "abs"), outside);
        File.CreateSymbolicLink(Path.Combine(b.Rootfs, "rel"), "../../../../../../../../.." + outside);
        b.AddMount("/abs/sub", "tmpfs", "tmpfs").AddMount("/rel/sub2", "tmpfs", "tmpfs");
        var m = MountsInside(b);
        Assert.That(Directory.GetFileSystemEntries(outside), Is.Empty, "nothing may be created or mounted outside the rootfs");
        Assert.That(Directory.Exists(Path.Combine(b.Rootfs + outside, "sub")), "the link is followed as if the rootfs were /");
        Assert.That(Directory.Exists(Path.Combine(b.Rootfs + outside, "sub2")));
        Assert.That(At(m, outside + "/sub").FsType, Is.EqualTo("tmpfs"));
    }

    [Test]
    public void ABindMountShowsTheSource()
    {
        var src = Source();
        var output = Inside(Bundle("cat /home/hello").AddMount("/home", "bind", src, "bind"));
        Assert.That(output, Does.Contain("hello-from-host"));
    }

    [Test]
    public void AFileCanBeBindMounted()
    {
        var src = Source();
        var b = Bundle("cat /run/greeting").AddMount("/run", "tmpfs", "tmpfs")
            .AddMount("/run/greeting", "bind", Path.Combine(src, "hello"), "bind", "ro");
        Assert.That(Inside(b), Does.Contain("hello-from-host"));
    }

    [Test]
    public void ABindSourceRelativeToTheBundleIsFound()
    {
        var b = Bundle("cat /home/hello");
        Directory.CreateDirectory(Path.Combine(b.Path, "data"));
        File.WriteAllText(Path.Combine(b.Path, "data", "hello"), "relative-source\n");
        b.AddMount("/home", "bind", "data", "rbind");
        Assert.That(Inside(b), Does.Contain("relative-source"));
    }

    [TestCase("ro")]
    [TestCase("nosuid")]
    [TestCase("nodev")]
    [TestCase("noexec")]
    [TestCase("noatime")]
    [TestCase("nodiratime")]
    [TestCase("relatime")]
    public void BindMountFlagsApply(string option)
    {
        var src = Source();
        var m = MountsInside(Bundle().AddMount("/home", "bind", src, "rbind", option));
        var home = At(m, "/home");
        Assert.That(home.MountOptions, Does.Contain(option), home.ToString());
        if (option != "ro")
            Assert.That(home.MountOptions, Does.Contain("rw"));
    }

    [Test]
    public void AReadOnlyBindCannotBeWritten()
    {
        var src = Source();
        var output = Inside(Bundle("touch /home/new 2>&1; echo rc=$?").AddMount("/home", "bind", src, "bind", "ro"));
        Assert.That(output, Does.Contain("Read-only file system"));
        Assert.That(File.Exists(Path.Combine(src, "new")), Is.False);
    }

    [Test]
    public void AWritableBindWritesTheSource()
    {
        var src = Source();
        Inside(Bundle("echo written > /home/new").AddMount("/home", "bind", src, "bind", "rw"));
        Assert.That(File.ReadAllText(Path.Combine(src, "new")), Is.EqualTo("written\n"));
    }

    [Test]
    public void NoexecForbidsExecution()
    {
        var src = Source();
        var output = Inside(Bundle("/home/script 2>&1; /var/script").AddMount("/home", "bind", src, "bind", "noexec")
            .AddMount("/var", "bind", src, "bind"));
        Assert.That(output, Does.Contain("Permission denied"));
        Assert.That(output, Does.Contain("script-ran"), "the same file runs from a mount without noexec");
    }

    /// <summary>A source with a tmpfs submount (made in the suite's private mount namespace).</summary>
    private string SourceWithSubmount()
    {
        var src = Source();
        var sub = Path.Combine(src, "sub");
        Directory.CreateDirectory(sub);
        H.Mount("-t", "tmpfs", "tmpfs", sub);
        File.WriteAllText(Path.Combine(sub, "marker"), "in-submount\n");
        return src;
    }

    [Test]
    public void BindLeavesSubmountsOutAndRbindTakesThem()
    {
        var src = SourceWithSubmount();
        var output = Inside(Bundle("cat /home/sub/marker 2>&1; echo ---; cat /var/sub/marker")
            .AddMount("/home", "bind", src, "bind").AddMount("/var", "bind", src, "rbind"));
        var parts = output.Split("---");
        Assert.That(parts[0], Does.Not.Contain("in-submount"), "bind is not recursive");
        Assert.That(parts[1], Does.Contain("in-submount"), "rbind is");
    }

    [Test]
    public void RroMakesEverySubmountReadOnly()
    {
        var src = SourceWithSubmount();
        var m = MountsInside(Bundle().AddMount("/home", "bind", src, "rbind", "rro"));
        Assert.That(At(m, "/home").ReadOnly, "rro: the bind itself");
        Assert.That(At(m, "/home/sub").ReadOnly, "rro: and its submounts (mount_setattr AT_RECURSIVE)");
    }

    [TestCase("rnosuid", "nosuid")]
    [TestCase("rnodev", "nodev")]
    [TestCase("rnoexec", "noexec")]
    [TestCase("rnoatime", "noatime")]
    public void RecursiveFlagsReachSubmounts(string option, string flag)
    {
        var src = SourceWithSubmount();
        var m = MountsInside(Bundle().AddMount("/home", "bind", src, "rbind", option));
        Assert.That(At(m, "/home").MountOptions, Does.Contain(flag));
        Assert.That(At(m, "/home/sub").MountOptions, Does.Contain(flag));
    }

    [Test]
    public void PlainRoOnAnRbindIsOnlyTheTopMount()
    {
        // runc's semantics: "ro" is a remount of the new mount; "rro" is the recursive form.
        var src = SourceWithSubmount();
        var m = MountsInside(Bundle().AddMount("/home", "bind", src, "rbind", "ro"));
        Assert.That(At(m, "/home").ReadOnly);
        Assert.That(At(m, "/home/sub").ReadOnly, Is.False);
    }

    /// <summary>A shared source (with a submount) so that every propagation mode is observable.</summary>
    private string SharedSource()
    {
        var src = H.NewDir("shared-src");
        H.Mount("-t", "tmpfs", "tmpfs", src);
        H.Mount("--make-shared", src);
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        H.Mount("-t", "tmpfs", "tmpfs", Path.Combine(src, "sub"));
        return src;
    }

    [TestCase("bind", "shared", "shared")]
    [TestCase("bind", "slave", "slave")]
    [TestCase("bind", "private", "private")]
    [TestCase("bind", "unbindable", "unbindable")]
    [TestCase("rbind", "rshared", "shared")]
    [TestCase("rbind", "rslave", "slave")]
    [TestCase("rbind", "rprivate", "private")]
    [TestCase("rbind", "runbindable", "unbindable")]
    public void PropagationFlagsApply(string bind, string option, string expected)
    {
        var src = SharedSource();
        var m = MountsInside(Bundle().AddMount("/home", "bind", src, bind, option));
        var targets = bind == "rbind" ? new[] { "/home", "/home/sub" } : new[] { "/home" };
        foreach (var t in targets)
        {
            var mi = At(m, t);
            bool ok = expected switch
            {
                "shared" => mi.IsShared,
                "slave" => mi.IsSlave && !mi.IsShared,
                "private" => mi.IsPrivate,
                _ => mi.IsUnbindable,
            };
            Assert.That(ok, $"{t} should be {expected} after \"{option}\": {mi}");
        }
    }

    [Test]
    public void TmpfsTakesItsDataOptions()
    {
        var m = MountsInside(Bundle().AddMount("/run", "tmpfs", "tmpfs", "nosuid", "mode=700", "size=1m"));
        var run = At(m, "/run");
        Assert.That(run.SuperOptions, Does.Contain("mode=700").And.Contain("size=1024k"));
        Assert.That(run.MountOptions, Does.Contain("nosuid"));
    }

    [Test]
    public void CgroupIsReadOnlyWithoutACgroupNamespaceEvenIfAskedRw()
    {
        var b = Bundle().RemoveMount("/sys/fs/cgroup").AddMount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "rw");
        var m = MountsInside(b).Where(x => x.MountPoint.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal)).ToList();
        Assert.That(m, Is.Not.Empty);
        Assert.That(m, Has.All.Matches<MountInfo>(x => x.ReadOnly), "CVE-2023-25809: " + string.Join('\n', m));
    }

    [Test]
    public void CgroupIsWritableWithACgroupNamespaceWhenAskedRw()
    {
        var b = Bundle().Namespace("cgroup").RemoveMount("/sys/fs/cgroup")
            .AddMount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "rw");
        var m = MountsInside(b).Where(x => x.MountPoint.StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal)).ToList();
        Assert.That(m, Is.Not.Empty);
        Assert.That(m.Where(x => x.FsType is "cgroup" or "cgroup2"), Has.All.Matches<MountInfo>(x => !x.ReadOnly), string.Join('\n', m));
    }

    [Test]
    public void CgroupShowsTheContainersOwnCgroupAsItsRoot()
    {
        // Without a cgroup namespace only the container's own cgroup directories are bound: each
        // hierarchy's mount root is the path /proc/self/cgroup names for it.
        var output = Inside(Bundle("cat /proc/self/cgroup; echo ---; cat /proc/self/mountinfo"));
        var parts = output.Split("---\n");
        var own = parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 3)[2]).ToHashSet();
        var m = MountInfo.Parse(parts[1]).Where(x => x.FsType is "cgroup" or "cgroup2").ToList();
        Assert.That(m, Is.Not.Empty);
        Assert.That(m.Select(x => x.Root), Has.All.Matches<string>(r => own.Contains(r)), parts[0] + "\n" + string.Join('\n', m));
    }

    [Test]
    public void SysfsIsBoundFromTheHostWithoutANetworkNamespace()
    {
        var m = MountsInside(Bundle().WithoutNamespace("network"));
        var sys = At(m, "/sys");
        Assert.That(sys.FsType, Is.EqualTo("sysfs"));
        Assert.That(sys.ReadOnly);
    }
}
