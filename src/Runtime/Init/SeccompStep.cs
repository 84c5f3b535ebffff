using System.Buffers.Binary;
using Runtime.Linux;
using Runtime.Process;
using Runtime.Seccomp;
using Runtime.Security;

namespace Runtime.Init;

/// <summary>
/// Loading linux.seccomp in the init, as late as it can be so the runtime itself never runs under the
/// container's profile (runtime-tools' linux_seccomp blocks getcwd): right before execve, or before
/// "ready" when a notify listener must reach the agent while `create` still runs. Without
/// no_new_privs the load needs CAP_SYS_ADMIN, kept until now and dropped right after.
/// </summary>
internal sealed class SeccompStep(CompiledFilter? filter, Spec.Process process, ProcFs proc, bool selinuxEnabled)
{
    /// <summary>Whether the user switch must keep CAP_SYS_ADMIN for the load.</summary>
    public bool KeepSysAdmin => filter != null && !process.NoNewPrivileges;

    /// <summary>Notify filters load here, handing the listener to the parent; others wait for <see cref="LoadLast"/>.</summary>
    public void LoadBeforeReady(InitChannel channel)
    {
        if (filter is not { NeedsListener: true })
            return;
        Load(out int listener);
        var n = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, listener);
        channel.Send(InitMessage.SeccompListener, n);
        channel.Expect(InitMessage.SeccompListener, "seccomp: waiting for the agent to get the listener");
        Libc.Close(listener);
    }

    public void LoadLast()
    {
        if (filter is null or { NeedsListener: true })
            return;
        Load(out _);
    }

    private void Load(out int listener)
    {
        SeLinux.SetExecLabel(proc, process.SelinuxLabel, selinuxEnabled);
        listener = SeccompLoader.Load(filter!);
        if (KeepSysAdmin)
            ProcessSetup.SetCapabilities(process.Capabilities);
    }
}
