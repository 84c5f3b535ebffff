using System.Buffers.Binary;
using System.Text;
using Runtime.Hooks;
using Runtime.Linux;
using Runtime.Namespaces;
using Runtime.Process;
using Runtime.Rootfs;
using Runtime.Spec;

namespace Runtime.Init;

/// <summary>A new container's init, from its namespaces to execve of the user's program.</summary>
internal static unsafe class ContainerInit
{
    public static void Run(InitChannel channel, Spec.Spec spec, InitOptions o, Seccomp.CompiledFilter? filter)
    {
        var process = spec.Process ?? throw new RuntimeException("process: required to create a container");
        bool mountNs = NamespacePlan.Has(spec, "mount");
        bool userNs = NamespacePlan.Has(spec, "user");
        Libc.Setsid(); // the container's init leads its own session, like runc's

        int fifo = o.FifoFd;
        Libc.Check(Libc.Fcntl(fifo, Libc.F_SETFD, Libc.FD_CLOEXEC), "exec fifo fd");
        // The host's procfs, verified, kept across pivot_root: sysctls and the fifo go through it.
        using var proc = ProcFs.Open("/proc");

        channel.Stage("create init: wait for the cgroup join");
        channel.Expect(InitMessage.CgroupJoined, "init: waiting for the cgroup join");
        channel.Stage("create init: mounts");
        RootfsBuilder.Prepare(spec, o.Rootfs, o.Bundle, NamespacePlan.Creates(spec, "network"), NamespacePlan.Has(spec, "cgroup"), userNs, o.SelinuxEnabled);

        channel.Send(InitMessage.HooksRequest);
        var done = channel.Expect(InitMessage.HooksDone, "init: waiting for prestart hooks");
        int hostPid = done.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(done) : 0;
        var state = new OciState { Id = o.Id, Pid = hostPid, Bundle = o.Bundle, Status = "created", Annotations = spec.Annotations };
        HookRunner.RunAll(spec.Hooks?.CreateContainer, "createContainer", state);

        channel.Stage("create init: pivot_root");
        if (!mountNs)
        {
            // Without a mount namespace a pivot would move the host's root: confine by chroot only.
            Libc.Check(Libc.Chroot(o.Rootfs), $"chroot {o.Rootfs}");
            Libc.Check(Libc.Chdir("/"), "chdir /");
        }
        else if (o.NoPivot)
            PivotRoot.MoveAndChroot(o.Rootfs);
        else
            PivotRoot.Pivot(o.Rootfs);
        if (mountNs)
            RootfsBuilder.ApplyRootPropagation(spec);
        if (process.Terminal)
            Terminal.Pty.Setup(o.ConsoleSocketFd, process.ConsoleSize, mountConsole: true);
        channel.Stage("create init: masked paths, hostname, sysctl, process attributes");
        RootfsBuilder.Finish(spec);

        SetHostnames(spec);
        Security.AppArmor.ApplyOnExec(proc, process.ApparmorProfile, process.NoNewPrivileges, o.AppArmorEnabled);
        var seccomp = new SeccompStep(filter, process, proc, o.SelinuxEnabled);
        foreach (var (key, value) in spec.Linux?.Sysctl ?? new Dictionary<string, string>())
        {
            if (key.Contains("..") || key.Contains('/') && key.Contains('.'))
                throw new RuntimeException($"linux.sysctl: invalid key \"{key}\"");
            proc.Write("sys/" + key.Replace('.', '/'), value, $"linux.sysctl[{key}]");
        }

        ProcessSetup.SetRlimits(process.Rlimits);
        ProcessAttributes.SetScheduler(process.Scheduler);
        ProcessAttributes.SetIoPriority(process.IoPriority);
        ProcessAttributes.SetPersonality(spec.Linux?.Personality);
        Security.SeLinux.SetKeyCreateLabel(proc, process.SelinuxLabel, o.SelinuxEnabled);
        ProcessSetup.JoinSessionKeyring(o.Id, o.NoNewKeyring);
        ProcessSetup.SetUserAndCapabilities(process.User, process.Capabilities, seccomp.KeepSysAdmin);
        ProcessSetup.SetNoNewPrivileges(process.NoNewPrivileges);
        if (process.User?.Umask is { } umask)
            Libc.Umask(umask);
        ProcessSetup.CompleteEnv(process, o.ListenFds);
        ProcessSetup.EnterCwd(process.Cwd);
        var path = ProcessSetup.LookPath(process);
        ProcessSetup.CloseFdsOnExec(o.PreserveFds);

        channel.Stage("create init: seccomp, ready");
        seccomp.LoadBeforeReady(channel);
        channel.Send(InitMessage.Ready);
        WaitForStart(proc, fifo);

        HookRunner.RunAll(spec.Hooks?.StartContainer, "startContainer", state);
        seccomp.LoadLast();
        ProcessSetup.Exec(path, process);
    }

    private static void SetHostnames(Spec.Spec spec)
    {
        bool uts = NamespacePlan.Has(spec, "uts");
        foreach (var (field, value) in new[] { ("hostname", spec.Hostname), ("domainname", spec.Domainname) })
        {
            if (string.IsNullOrEmpty(value)) continue;
            if (!uts)
                throw new RuntimeException($"{field}: unable to set {field} without a private UTS namespace");
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* b = bytes)
                Libc.Check(field == "hostname" ? Libc.SetHostname(b, bytes.Length) : Libc.SetDomainname(b, bytes.Length), $"{field}: set \"{value}\"");
        }
    }

    /// <summary>Blocks until `start` opens the fifo for reading (open for writing waits for a reader),
    /// then writes one byte. The write end stays open, close-on-exec: `start` sees end-of-file exactly
    /// when our execve succeeded (or we died), and only then runs poststart hooks.</summary>
    private static void WaitForStart(ProcFs proc, int fifo)
    {
        int fd;
        while ((fd = Libc.OpenAt(proc.Fd, $"self/fd/{fifo}", Libc.O_WRONLY | Libc.O_CLOEXEC, 0)) == -1 && Libc.LastErrno == Errnos.EINTR) { }
        Libc.Check(fd, "open exec fifo for writing");
        byte zero = (byte)'0';
        Libc.Check(Libc.Write(fd, &zero, 1), "write exec fifo");
        Libc.Close(fifo);
    }
}
