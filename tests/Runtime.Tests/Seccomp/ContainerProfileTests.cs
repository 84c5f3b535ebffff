using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Runtime.Linux;
using Runtime.Seccomp;
using static Runtime.Tests.Seccomp.BpfInterpreter;
using static Runtime.Tests.Seccomp.Profiles;

namespace Runtime.Tests.Seccomp;

/// <summary>
/// A profile shaped like the one containerd and podman send (default ERRNO, a few hundred allowed
/// names, argument rules on socket/personality/clone, clone3 → ENOSYS, x86_64 + x86 + x32), built
/// from this system's syscall table: every x86_64 syscall's verdict checked, then the program
/// loaded into a thread by the kernel.
/// </summary>
public unsafe class ContainerProfileTests
{
    private static readonly HashSet<string> Denied = new()
    {
        "mount", "umount2", "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "swapon", "swapoff", "sethostname", "setdomainname", "getpriority", "setns", "unshare", "pivot_root",
    };

    private static readonly string[] WithArgs = { "socket", "personality", "clone", "clone3" };

    private static string ProfileJson()
    {
        var allowed = AllX86_64Syscalls.Values.Where(n => !Denied.Contains(n) && !WithArgs.Contains(n)).Order().ToList();
        var syscalls = new List<object>
        {
            new { names = allowed, action = "SCMP_ACT_ALLOW" },
            new { names = new[] { "socket" }, action = "SCMP_ACT_ALLOW", args = new[] { new { index = 0, value = 40UL, op = "SCMP_CMP_NE" } } },
            new { names = new[] { "clone" }, action = "SCMP_ACT_ALLOW", args = new[] { new { index = 0, value = 0x7E020000UL, op = "SCMP_CMP_MASKED_EQ" } } },
            new { names = new[] { "clone3" }, action = "SCMP_ACT_ERRNO", errnoRet = 38 },
        };
        foreach (ulong persona in new ulong[] { 0, 8, 0x20000, 0x20008, 0xffffffff })
            syscalls.Add(new { names = new[] { "personality" }, action = "SCMP_ACT_ALLOW", args = new[] { new { index = 0, value = persona, op = "SCMP_CMP_EQ" } } });
        return JsonSerializer.Serialize(new
        {
            defaultAction = "SCMP_ACT_ERRNO", defaultErrnoRet = 1,
            architectures = new[] { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" },
            syscalls,
        });
    }

    private static bool KnownToLibseccomp(string name) => Libc.ScmpSyscallResolveName(name) >= 0;

    [Test]
    public void EverySyscallGetsTheProfilesVerdict()
    {
        var json = ProfileJson();
        var f = SeccompCompiler.Compile(Parse(json))!;
        var sw = Stopwatch.StartNew();
        SeccompCompiler.Compile(Parse(json));
        TestContext.Out.WriteLine($"{AllX86_64Syscalls.Count} syscalls: {f.InstructionCount} instructions, compiled again in {sw.Elapsed.TotalMilliseconds:F1} ms");
        Assert.That(f.InstructionCount, Is.LessThan(Libc.BPF_MAXINSNS));

        int largest = AllX86_64Syscalls.Where(s => KnownToLibseccomp(s.Value)).Max(s => s.Key);
        for (int nr = 0; nr <= largest + 5; nr++)
        {
            var name = X86_64Name(nr);
            uint denied = nr > largest ? Errno | ENOSYS : Errno | EPERM;
            switch (name)
            {
                case "socket":
                    Assert.That(Run(f, nr, AuditArchX86_64, 2), Is.EqualTo(Allow), "socket(AF_INET)");
                    Assert.That(Run(f, nr, AuditArchX86_64, 40), Is.EqualTo(denied), "socket(AF_VSOCK)");
                    break;
                case "personality":
                    Assert.That(Run(f, nr, AuditArchX86_64, 0xffffffff), Is.EqualTo(Allow), "personality(query)");
                    Assert.That(Run(f, nr, AuditArchX86_64, 0x20008), Is.EqualTo(Allow));
                    Assert.That(Run(f, nr, AuditArchX86_64, 0x0400000), Is.EqualTo(denied), "personality(READ_IMPLIES_EXEC)");
                    break;
                case "clone":
                    Assert.That(Run(f, nr, AuditArchX86_64, 0x01200011), Is.EqualTo(Allow), "fork-like clone");
                    Assert.That(Run(f, nr, AuditArchX86_64, 0x10000000), Is.EqualTo(denied), "clone(CLONE_NEWUSER)");
                    break;
                case "clone3":
                    Assert.That(Run(f, nr), Is.EqualTo(Errno | ENOSYS));
                    break;
                default:
                    bool allowed = name != null && !Denied.Contains(name) && KnownToLibseccomp(name);
                    Assert.That(Run(f, nr), Is.EqualTo(allowed ? Allow : denied), $"syscall {nr} ({name})");
                    break;
            }
        }
        Assert.That(Run(f, I386Getcwd, AuditArchI386), Is.EqualTo(Allow), "i386 getcwd");
        Assert.That(Run(f, 21 /* i386 mount */, AuditArchI386), Is.EqualTo(Errno | EPERM), "i386 mount");
        Assert.That(Run(f, (int)(X32Bit | Getcwd)), Is.EqualTo(Allow), "x32 getcwd");
        Assert.That(Run(f, (int)(X32Bit | 165 /* mount */)), Is.EqualTo(Errno | EPERM), "x32 mount");
    }

    [Test]
    public void TheKernelAcceptsAndEnforcesIt()
    {
        var f = CompiledFilter.Deserialize(SeccompCompiler.Compile(Parse(ProfileJson()))!.Serialize());
        var (cwd, prio, clone3) = DedicatedThread.Run(() =>
        {
            SeccompLoader.Load(f);
            var buf = stackalloc byte[4096];
            long c = Libc.Syscall(Getcwd, (nint)buf, 4096, 0, 0, 0, 0);
            long p = Libc.Syscall(Getpriority, 0, 0, 0, 0, 0, 0);
            int pErr = Libc.LastErrno;
            // clone3(NULL, 0): the filter answers before the kernel would (EINVAL for size 0).
            long c3 = Libc.Syscall(Clone3, 0, 0, 0, 0, 0, 0);
            return (c, (p, pErr), (c3, Libc.LastErrno));
        });
        Assert.That(cwd, Is.GreaterThan(0), "getcwd is allowed");
        Assert.That(prio, Is.EqualTo((-1L, (int)EPERM)), "getpriority is denied with defaultErrnoRet");
        Assert.That(clone3, Is.EqualTo((-1L, (int)ENOSYS)), "clone3 → errnoRet 38");
    }
}
