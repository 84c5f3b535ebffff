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
/// Detection looks for a selinuxfs mount, which a container's own mounts hide: ask
/// <see cref="IsEnabled"/> in the parent (or in the init before pivot_root) and hand the answer on.
/// </summary>
internal static class SeLinux
{
    private const long SELINUX_MAGIC = 0xf97cff8c;
    private static readonly Lazy<bool> Enabled = new(Detect);
    private static bool _mountLabelNoted;

    /// <summary>SELinux is enabled: a selinuxfs is mounted (go-selinux's test) and this process has a
    /// label other than "kernel". Host context only, see the class summary.</summary>
    public static bool IsEnabled() => Enabled.Value;

    private static bool Detect()
    {
        if (!HasSelinuxfs())
            return false;
        try
        {
            using var proc = ProcFs.Open();
            return proc.Read(proc.ThreadSelf("attr/current"), "selinux: read the current label").TrimEnd('\0', '\n') is { Length: > 0 } l && l != "kernel";
        }
        catch (Exception e) when (e is RuntimeException or SyscallException)
        {
            return false;
        }
    }

    private static bool HasSelinuxfs()
    {
        if (Libc.Statfs("/sys/fs/selinux", out var st) == 0 && st.Type == SELINUX_MAGIC)
            return true;
        try
        {
            return File.ReadLines("/proc/self/mountinfo").Any(l => l.Contains(" - selinuxfs ", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

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
