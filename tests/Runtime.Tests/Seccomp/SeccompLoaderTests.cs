using NUnit.Framework;
using Runtime.Linux;
using Runtime.Seccomp;
using static Runtime.Tests.Seccomp.Profiles;

namespace Runtime.Tests.Seccomp;

/// <summary>Real enforcement: a compiled, serialized and deserialized filter (what the init gets)
/// loaded into a thread by the kernel, then the thread's syscalls answered by it.</summary>
public unsafe class SeccompLoaderTests
{
    private const int ENETDOWN = 100, EDOM = 33;

    private static CompiledFilter Filter(string json) =>
        CompiledFilter.Deserialize(SeccompCompiler.Compile(Parse(json))!.Serialize());

    private static (long Rc, int Errno) Sys(long nr, long a1 = 0, long a2 = 0, long a3 = 0)
    {
        long rc = Libc.Syscall((nint)nr, (nint)a1, (nint)a2, (nint)a3, 0, 0, 0);
        return (rc, rc == -1 ? Libc.LastErrno : 0);
    }

    private static (long Rc, int Errno) GetCwd()
    {
        var buf = stackalloc byte[4096];
        return Sys(Getcwd, (long)buf, 4096);
    }

    private const string GetcwdAndGetpriority = """
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
          {"names":["getcwd"],"action":"SCMP_ACT_ERRNO","errnoRet":100},
          {"names":["getpriority"],"action":"SCMP_ACT_ERRNO","errnoRet":33,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}
        """;

    [Test]
    public void TheKernelEnforcesTheFilterOnTheLoadingThreadOnly()
    {
        var filter = Filter(GetcwdAndGetpriority);
        var seen = DedicatedThread.Run(() =>
        {
            var before = GetCwd();
            int listener = SeccompLoader.Load(filter);
            return (before, listener, after: GetCwd(), pgrp: Sys(Getpriority, 1, 0), process: Sys(Getpriority, 0, 0));
        });
        Assert.That(seen.before.Rc, Is.GreaterThan(0), "getcwd works before the load");
        Assert.That(seen.listener, Is.EqualTo(-1), "no notify rule, no listener");
        Assert.That(seen.after, Is.EqualTo((-1L, ENETDOWN)), "getcwd → errnoRet 100");
        Assert.That(seen.pgrp, Is.EqualTo((-1L, EDOM)), "getpriority(PRIO_PGRP): the argument matches");
        Assert.That(seen.process.Rc, Is.GreaterThanOrEqualTo(0), "getpriority(PRIO_PROCESS): the argument does not match");
        Assert.That(GetCwd().Rc, Is.GreaterThan(0), "the test's own thread is not filtered");
    }

    [Test]
    public void WithoutCapSysAdminTheFilterNeedsNoNewPrivs()
    {
        Assume.That(Libc.GetUid(), Is.EqualTo(0u), "needs root to start with CAP_SYS_ADMIN");
        var filter = Filter(GetcwdAndGetpriority);
        var (error, afterNnp) = DedicatedThread.Run(() =>
        {
            // Capabilities are per thread: drop this thread's effective set only.
            var header = new Libc.CapHeader { Version = Libc.LINUX_CAPABILITY_VERSION_3 };
            var data = stackalloc Libc.CapData[2];
            Libc.Check(Libc.Capget(&header, data), "capget");
            data[0].Effective = data[1].Effective = 0;
            Libc.Check(Libc.Capset(&header, data), "capset");
            var e = Assert.Throws<SyscallException>(() => SeccompLoader.Load(filter))!;
            Libc.Check(Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
            SeccompLoader.Load(filter);
            return (e, GetCwd());
        });
        Assert.That(error.Errno, Is.EqualTo(Errnos.EACCES));
        Assert.That(error.Message, Does.Contain("needs no_new_privs or CAP_SYS_ADMIN"));
        Assert.That(afterNnp, Is.EqualTo((-1L, ENETDOWN)), "loaded once no_new_privs was set");
    }

    [Test]
    public void FilterFlagsAreAcceptedByTheKernel()
    {
        Assume.That(SeccompKernel.FlagSupported(Libc.SECCOMP_FILTER_FLAG_LOG) && SeccompKernel.FlagSupported(Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW));
        var filter = Filter("""
            {"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_TSYNC"],
             "syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_LOG"},{"names":["getpriority"],"action":"SCMP_ACT_ERRNO"}]}
            """);
        Assert.That(filter.Flags, Is.EqualTo(Libc.SECCOMP_FILTER_FLAG_LOG | Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW));
        var (cwd, prio) = DedicatedThread.Run(() =>
        {
            SeccompLoader.Load(filter);
            return (GetCwd(), Sys(Getpriority, 0, 0));
        });
        Assert.That(cwd.Rc, Is.GreaterThan(0), "SCMP_ACT_LOG lets the call through");
        Assert.That(prio, Is.EqualTo((-1L, Errnos.EPERM)));
    }

    [Test]
    public void ProbesThatCannotTellSayUnknown()
    {
        // Under an outer filter that denies seccomp(2) (a runtime inside a container), nothing is
        // known: the compiler must not conclude "unsupported" from that.
        var filter = Filter("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["seccomp"],"action":"SCMP_ACT_ERRNO"}]}""");
        var (flag, action) = DedicatedThread.Run(() =>
        {
            SeccompLoader.Load(filter);
            return (SeccompKernel.ProbeFlag(Libc.SECCOMP_FILTER_FLAG_LOG), SeccompKernel.ProbeAction(Libc.SECCOMP_RET_LOG));
        });
        Assert.That(flag, Is.EqualTo(SeccompKernel.Support.Unknown));
        Assert.That(action, Is.EqualTo(SeccompKernel.Support.Unknown));
        Assert.That(SeccompKernel.ProbeFlag(Libc.SECCOMP_FILTER_FLAG_LOG), Is.EqualTo(SeccompKernel.Support.Yes), "unfiltered thread");
    }

    [Test]
    public void KernelProbesAgreeWithTheKernel()
    {
        Assert.That(SeccompKernel.ProbeFlag(0x1000), Is.EqualTo(SeccompKernel.Support.No), "a flag no kernel has");
        Assert.That(SeccompKernel.ProbeAction(Libc.SECCOMP_RET_ALLOW), Is.EqualTo(SeccompKernel.Support.Yes));
        Assert.That(SeccompKernel.ProbeAction(0x7f000000), Is.EqualTo(SeccompKernel.Support.No), "not an action");
        // SECCOMP_FILTER_FLAG_NEW_LISTENER and USER_NOTIF came together (5.0): the probes must agree.
        Assert.That(SeccompKernel.FlagsSupported(Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER),
            Is.EqualTo(SeccompKernel.ActionAvailable(Libc.SECCOMP_RET_USER_NOTIF)));
    }
}
