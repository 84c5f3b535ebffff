using Runtime.Linux;

namespace Runtime.Security;

/// <summary>
/// process.apparmorProfile: asks AppArmor to switch the calling thread to the profile at its next
/// execve (libapparmor's aa_change_onexec), by writing "exec PROFILE" to
/// /proc/thread-self/attr/apparmor/exec (attr/exec on kernels before the per-LSM directories).
/// The write goes through a verified procfs (CVE-2019-16884: a container volume mounted over /proc
/// must not swallow it) and binds only the calling thread: call it on the thread that execs.
/// </summary>
internal static class AppArmor
{
    private static readonly Lazy<bool> Enabled = new(Detect);

    /// <summary>AppArmor is enabled on this host (runc's test: securityfs has it and the module
    /// parameter says Y).</summary>
    public static bool IsEnabled() => Enabled.Value;

    private static bool Detect()
    {
        if (!Directory.Exists("/sys/kernel/security/apparmor"))
            return false;
        try
        {
            return File.ReadAllText("/sys/module/apparmor/parameters/enabled").StartsWith('Y');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Applies <paramref name="profile"/> on exec. Nothing to do for an empty profile; a
    /// profile on a host without AppArmor is an error, as in runc (the container would otherwise run
    /// unconfined while the caller believes it is confined).</summary>
    public static void ApplyOnExec(ProcFs proc, string? profile, bool noNewPrivileges) =>
        ApplyOnExec(proc, profile, noNewPrivileges, IsEnabled());

    internal static void ApplyOnExec(ProcFs proc, string? profile, bool noNewPrivileges, bool enabled)
    {
        if (string.IsNullOrEmpty(profile))
            return;
        const string field = "process.apparmorProfile";
        if (!enabled)
            throw new RuntimeException($"{field}: unable to apply apparmor profile \"{profile}\": apparmor: config provided but apparmor not supported");
        string dir = proc.Exists(proc.ThreadSelf("attr/apparmor"), field) ? "attr/apparmor/" : "attr/";
        // With no_new_privs a confined process may not change profile on exec, only stack one on top
        // of its own (crun does the same); unconfined it can transition normally.
        string verb = noNewPrivileges && IsConfined(proc, dir) ? "stack" : "exec";
        proc.Write(proc.ThreadSelf(dir + "exec"), $"{verb} {profile}", $"{field}: unable to apply apparmor profile \"{profile}\"");
    }

    /// <summary>The thread runs under a profile other than "unconfined".</summary>
    private static bool IsConfined(ProcFs proc, string dir)
    {
        var current = proc.Read(proc.ThreadSelf(dir + "current"), "process.apparmorProfile: read the current apparmor profile").TrimEnd('\n', '\0');
        return current != "unconfined" && !current.StartsWith("unconfined ", StringComparison.Ordinal);
    }
}
