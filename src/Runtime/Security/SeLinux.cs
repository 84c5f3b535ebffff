using Runtime.Linux;
using Runtime.Logging;

namespace Runtime.Security;

/// <summary>
/// process.selinuxLabel and linux.mountLabel. With SELinux enabled the process label is written to
/// /proc/thread-self/attr/exec (applies at the calling thread's next execve; through a verified
/// procfs) and the mount label becomes the context="..." option of the filesystems the runtime
/// mounts (tmpfs, mqueue, devpts...). With SELinux off the labels mean nothing to the kernel: they
/// are ignored, as crun does, and `--debug` says so.
///
/// Whether SELinux is on is <see cref="Spec.HostFacts.SELinuxEnabled"/>, read in the parent: the
/// container's own /sys no longer shows the host's selinuxfs, so the init is handed the answer.
/// </summary>
internal static class SeLinux
{
    private static bool _mountLabelNoted;

    /// <summary>Sets the label the calling thread's next execve runs under.</summary>
    public static void SetExecLabel(ProcFs proc, string? label, bool selinuxEnabled) =>
        SetLabel(proc, "exec", label, selinuxEnabled);

    /// <summary>Sets the label of keyrings the calling thread creates: runc labels the session keyring
    /// it joins with the process label (the kernel resets the attribute at execve).</summary>
    public static void SetKeyCreateLabel(ProcFs proc, string? label, bool selinuxEnabled) =>
        SetLabel(proc, "keycreate", label, selinuxEnabled);

    private static void SetLabel(ProcFs proc, string attr, string? label, bool enabled)
    {
        const string field = "process.selinuxLabel";
        if (string.IsNullOrEmpty(label))
            return;
        if (!enabled)
        {
            Log.Debug($"{field} \"{label}\" ignored: SELinux is not enabled on this host");
            return;
        }
        proc.Write(proc.ThreadSelf("attr/" + attr), label, $"{field}: set the selinux {attr} label \"{label}\"");
    }

    /// <summary>Mount data with linux.mountLabel added as context="LABEL" (go-selinux's
    /// FormatMountLabel); <paramref name="data"/> unchanged without a label or without SELinux.</summary>
    public static string? FormatMountLabel(string? data, string? mountLabel, bool selinuxEnabled)
    {
        if (string.IsNullOrEmpty(mountLabel))
            return data;
        if (!selinuxEnabled)
        {
            if (!_mountLabelNoted)
                Log.Debug($"linux.mountLabel \"{mountLabel}\" ignored: SELinux is not enabled on this host");
            _mountLabelNoted = true;
            return data;
        }
        if (mountLabel.Contains('"'))
            throw new RuntimeException($"linux.mountLabel: \"{mountLabel}\" contains a double quote");
        var option = $"context=\"{mountLabel}\"";
        return string.IsNullOrEmpty(data) ? option : $"{data},{option}";
    }
}
