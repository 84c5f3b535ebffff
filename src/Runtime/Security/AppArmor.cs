using Runtime.Linux;

namespace Runtime.Security;

/// <summary>
/// process.apparmorProfile: asks AppArmor to switch the calling thread to the profile at its next
/// execve (libapparmor's aa_change_onexec), by writing "exec PROFILE" to
/// /proc/thread-self/attr/apparmor/exec (attr/exec on kernels before the per-LSM directories).
/// The write goes through a verified procfs (CVE-2019-16884: a container volume mounted over /proc
/// must not swallow it) and binds only the calling thread: call it on the thread that execs.
///
/// Whether AppArmor is on is <see cref="Spec.HostFacts.AppArmorEnabled"/>, read in the parent:
/// the container's own /sys no longer shows the host's, so the init is handed the answer.
/// </summary>
internal static class AppArmor
{
    private const string Field = "process.apparmorProfile";

    /// <summary>Applies <paramref name="profile"/> at the calling thread's next execve; nothing to do
    /// for an empty profile. <paramref name="appArmorEnabled"/> is the host's answer (see above).</summary>
    public static void ApplyOnExec(ProcFs proc, string? profile, bool noNewPrivileges, bool appArmorEnabled)
    {
        if (string.IsNullOrEmpty(profile))
            return;
        // Validation refuses this at create already; never let a profile be dropped silently.
        if (!appArmorEnabled)
            throw new RuntimeException($"{Field}: unable to apply apparmor profile \"{profile}\": apparmor: config provided but apparmor not supported");
        string dir = proc.Exists(proc.ThreadSelf("attr/apparmor"), Field) ? "attr/apparmor/" : "attr/";
        // With no_new_privs a confined process may not change profile on exec, only stack one on top
        // of its own (crun does the same); unconfined it can transition normally.
        string verb = noNewPrivileges && IsConfined(proc, dir) ? "stack" : "exec";
        proc.Write(proc.ThreadSelf(dir + "exec"), $"{verb} {profile}", $"{Field}: unable to apply apparmor profile \"{profile}\"");
    }

    /// <summary>The thread runs under a profile other than "unconfined".</summary>
    private static bool IsConfined(ProcFs proc, string dir)
    {
        var current = proc.Read(proc.ThreadSelf(dir + "current"), $"{Field}: read the current apparmor profile").TrimEnd('\n', '\0');
        return current != "unconfined" && !current.StartsWith("unconfined ", StringComparison.Ordinal);
    }
}
