using Runtime.Linux;

namespace Runtime.Security;

/// <summary>
/// process.apparmorProfile: asks AppArmor to switch the calling thread to the profile at its next
/// execve (libapparmor's aa_change_onexec), by writing "exec PROFILE" to
/// /proc/thread-self/attr/apparmor/exec (attr/exec on kernels before the per-LSM directories).
/// The write goes through a verified procfs (CVE-2019-16884: a container volume mounted over /proc
/// must not swallow it) and binds only the calling thread: call it on the thread that execs.
///
/// Detection reads securityfs and sysfs, which a container's own mounts hide: ask
/// <see cref="IsEnabled"/> in the parent (or in the init before pivot_root) and hand the answer on.
/// </summary>
internal static class AppArmor
{
    private const string Field = "process.apparmorProfile";
    private static readonly Lazy<bool> Enabled = new(Detect);

    /// <summary>AppArmor is enabled on this host (runc's test: securityfs has it and the module
    /// parameter says Y). Host context only, see the class summary.</summary>
    public static bool IsEnabled() => Enabled.Value;

    private static bool Detect()
    {
        if (!Directory.Exists("/sys/kernel/security/apparmor"))
            return false;
        try
        {
            return File.ReadAllText("/sys/module/apparmor/parameters/enabled").StartsWith('Y');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Refuses a profile when AppArmor is off, as runc does (the container would otherwise run
    /// unconfined while the caller believes it is confined). For create/exec to fail early.</summary>
    public static void CheckSupported(string? profile, bool appArmorEnabled)
    {
        if (!string.IsNullOrEmpty(profile) && !appArmorEnabled)
            throw new RuntimeException($"{Field}: unable to apply apparmor profile \"{profile}\": apparmor: config provided but apparmor not supported");
    }

    /// <summary>Applies <paramref name="profile"/> at the calling thread's next execve; nothing to do
    /// for an empty profile. <paramref name="appArmorEnabled"/> is <see cref="IsEnabled"/> as seen
    /// from the host.</summary>
    public static void ApplyOnExec(ProcFs proc, string? profile, bool noNewPrivileges, bool appArmorEnabled)
    {
        if (string.IsNullOrEmpty(profile))
            return;
        CheckSupported(profile, appArmorEnabled);
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
