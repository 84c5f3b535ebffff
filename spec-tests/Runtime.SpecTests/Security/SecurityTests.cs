using System.Security.Cryptography;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>
/// CVE-2019-5736: the container must never get a writable handle on the runtime's binary through
/// /proc/PID/exe of a runtime process inside it. The waiting init runs from a sealed copy. These
/// tests run a copy of the binary so that a failure damages only the copy.
/// CVE-2024-21626: no host fd reaches the container (ProcessTests.OnlyStdioReachesTheContainer)
/// and a cwd through /proc/self/fd/N cannot lead outside the rootfs.
/// </summary>
[TestFixture]
public class SecurityTests : SpecTest
{
    private string _binary = null!;
    private RuntimeCall _call = null!;

    [SetUp]
    public void CopyTheBinary()
    {
        _binary = Path.Combine(H.Dir, "runtime-copy");
        File.Copy(RuntimeBinary.Path, _binary);
        File.SetUnixFileMode(_binary, (UnixFileMode)0x1ed);
        _call = new RuntimeCall { Binary = _binary };
    }

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_binary)));

    private int Create(BundleBuilder b, string id)
    {
        var r = H.Create(_call, b.Write(), id);
        AssertOk(r);
        return H.Pid(id);
    }

    [Test]
    public void TheWaitingInitDoesNotRunFromTheBinaryOnDisk()
    {
        int pid = Create(Bundle("sleep 30"), H.NewId());
        var exe = new FileInfo($"/proc/{pid}/exe").LinkTarget;
        Assert.That(exe, Is.Not.EqualTo(_binary).And.Not.EqualTo(RuntimeBinary.Path), "the init must run from a sealed copy");
        Assert.That(exe, Does.Not.StartWith(H.Dir));
    }

    [Test]
    public void TheInitsExeCannotBeReopenedForWritingOnceTheProgramRuns()
    {
        // The 2019 attack: hold /proc/PID/exe of the runtime's process, wait until it exec'd the
        // container's program (the binary is no longer busy), reopen the handle for writing.
        var id = H.NewId();
        int pid = Create(Bundle("sleep 30"), id);
        var before = Hash();
        using var held = File.OpenHandle($"/proc/{pid}/exe", FileMode.Open, FileAccess.Read);
        H.Runtime(_call, "start", id);
        H.WaitForStatus(id, "running");
        ContainerHarness.WaitUntil(() => File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep", 5, () => "the program to run");
        Exception? refused = null;
        try
        {
            using var w = File.OpenHandle($"/proc/self/fd/{held.DangerousGetHandle()}", FileMode.Open, FileAccess.Write);
            RandomAccess.Write(w, "corrupt"u8, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            refused = e;
        }
        Assert.That(refused, Is.Not.Null, "writing the init's executable must fail");
        Assert.That(Hash(), Is.EqualTo(before), "the runtime binary is unchanged");
    }

    [Test]
    public void AContainerCannotWriteTheRuntimeThroughProcExe()
    {
        // Container B shares container A's pid namespace, so A's waiting init is B's pid 1.
        var a = H.NewId("a");
        int pidA = Create(Bundle("sleep 30"), a);
        var before = Hash();
        var own = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapBnd:"))[7..].Trim();
        var allCaps = Enumerable.Range(0, 41).Where(c => (Convert.ToUInt64(own, 16) & 1UL << c) != 0).Select(CapName).ToArray();
        var script = "if exec 3</proc/1/exe; then echo holding; else echo open-denied; exit 0; fi; " +
                     "while [ \"$(cat /proc/1/comm)\" != sleep ]; do sleep 0.05; done; " +
                     "if printf corrupt >> /proc/self/fd/3; then echo WROTE; else echo REFUSED; fi";
        var b = Bundle(script).AllCapabilities(allCaps).NoNewPrivileges(false).Namespace("pid", $"/proc/{pidA}/ns/pid");
        var idB = H.NewId("b");
        Create(b, idB);
        H.Runtime(_call, "start", idB);
        ContainerHarness.WaitUntil(() => H.Output(idB).Contains("holding") || H.Output(idB).Contains("open-denied"), 5, () => "B to open /proc/1/exe: " + H.Output(idB));
        H.Runtime(_call, "start", a);
        ContainerHarness.WaitUntil(() => H.Output(idB).Contains("WROTE") || H.Output(idB).Contains("REFUSED") || H.Output(idB).Contains("open-denied"), 5,
            () => "B's attempt: " + H.Output(idB));
        Assert.That(H.Output(idB), Does.Not.Contain("WROTE"));
        Assert.That(Hash(), Is.EqualTo(before), "the runtime binary is unchanged");
    }

    private static string CapName(int c) => c switch
    {
        0 => "CAP_CHOWN", 1 => "CAP_DAC_OVERRIDE", 2 => "CAP_DAC_READ_SEARCH", 3 => "CAP_FOWNER", 4 => "CAP_FSETID", 5 => "CAP_KILL",
        6 => "CAP_SETGID", 7 => "CAP_SETUID", 8 => "CAP_SETPCAP", 9 => "CAP_LINUX_IMMUTABLE", 10 => "CAP_NET_BIND_SERVICE",
        11 => "CAP_NET_BROADCAST", 12 => "CAP_NET_ADMIN", 13 => "CAP_NET_RAW", 14 => "CAP_IPC_LOCK", 15 => "CAP_IPC_OWNER",
        16 => "CAP_SYS_MODULE", 17 => "CAP_SYS_RAWIO", 18 => "CAP_SYS_CHROOT", 19 => "CAP_SYS_PTRACE", 20 => "CAP_SYS_PACCT",
        21 => "CAP_SYS_ADMIN", 22 => "CAP_SYS_BOOT", 23 => "CAP_SYS_NICE", 24 => "CAP_SYS_RESOURCE", 25 => "CAP_SYS_TIME",
        26 => "CAP_SYS_TTY_CONFIG", 27 => "CAP_MKNOD", 28 => "CAP_LEASE", 29 => "CAP_AUDIT_WRITE", 30 => "CAP_AUDIT_CONTROL",
        31 => "CAP_SETFCAP", 32 => "CAP_MAC_OVERRIDE", 33 => "CAP_MAC_ADMIN", 34 => "CAP_SYSLOG", 35 => "CAP_WAKE_ALARM",
        36 => "CAP_BLOCK_SUSPEND", 37 => "CAP_AUDIT_READ", 38 => "CAP_PERFMON", 39 => "CAP_BPF", _ => "CAP_CHECKPOINT_RESTORE",
    };

    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    public void ACwdThroughALeakedFdCannotLeaveTheRootfs(int fd)
    {
        // CVE-2024-21626: cwd /proc/self/fd/N where N was a host directory the init held open.
        var id = H.NewId();
        var r = H.Run(_call, Bundle("pwd; ls").Cwd($"/proc/self/fd/{fd}").Write(), id);
        if (r.ExitCode != 0)
        {
            Assert.That(r.Stderr, Does.Contain("process.cwd"), r.ToString());
            H.AssertNoLeftovers(id);
            return;
        }
        Assert.That(r.Stdout, Does.Not.Contain("unreachable"), r.ToString());
        Assert.That(r.Stdout.Split('\n')[0], Does.StartWith("/"), r.ToString());
    }
}
