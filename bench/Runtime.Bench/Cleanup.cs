namespace Runtime.Bench;

/// <summary>
/// Removes everything a run made, also after a failure or an interrupt: containers left under each
/// runtime's root (delete --force), container inits still alive (each is our child, since we are a
/// subreaper), the roots, and the cgroup directories runc/crun made (named after our container ids).
/// </summary>
public static class Cleanup
{
    public static void All(Spawner sp, IEnumerable<Subject> subjects, string idPrefix)
    {
        foreach (var s in subjects)
        {
            foreach (var id in s.StoredIds().Where(i => i.StartsWith(idPrefix, StringComparison.Ordinal)).ToList())
            {
                try { sp.Run(s.Exe, s.Delete(id, force: true), TimeSpan.FromSeconds(20)); }
                catch (CommandFailed e) { Console.Error.WriteLine($"cleanup: {s.Name} delete --force {id}: {e.Message}"); }
            }
        }
        KillLauncherChildren(sp);
        foreach (var s in subjects)
        {
            try { if (Directory.Exists(s.Root)) Directory.Delete(s.Root, recursive: true); }
            catch (IOException e) { Console.Error.WriteLine($"cleanup: {s.Root}: {e.Message}"); }
        }
        RemoveCgroups(idPrefix);
    }

    /// <summary>Every process still a child of spawnd is a container init orphaned by a runtime.</summary>
    private static void KillLauncherChildren(Spawner sp)
    {
        sp.ReapAvailable();
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (Suite.ParentOf(pid) == sp.ServerPid) children.Add(pid);
            }
            catch (IOException) { }
        }
        foreach (var pid in children)
        {
            Console.Error.WriteLine($"cleanup: killing leftover container init {pid}");
            Posix.Kill(pid, Posix.SIGKILL);
            try { sp.WaitFor(pid, TimeSpan.FromSeconds(10), out _); }
            catch (CommandFailed e) { Console.Error.WriteLine($"cleanup: {e.Message}"); }
        }
    }

    /// <summary>rmdir (deepest first) of cgroup directories whose name starts with our id prefix,
    /// anywhere in the first levels of each hierarchy (runc nests them under its own cgroup).</summary>
    public static void RemoveCgroups(string idPrefix)
    {
        const string top = "/sys/fs/cgroup";
        if (!Directory.Exists(top)) return;
        var found = new List<string>();
        void Walk(string dir, int depth)
        {
            IEnumerable<string> subs;
            try { subs = Directory.EnumerateDirectories(dir).ToList(); }
            catch (IOException) { return; }
            catch (UnauthorizedAccessException) { return; }
            foreach (var sub in subs)
            {
                if (Path.GetFileName(sub).StartsWith(idPrefix, StringComparison.Ordinal)) found.Add(sub);
                else if (depth < 5) Walk(sub, depth + 1);
            }
        }
        Walk(top, 0);
        foreach (var dir in found)
        {
            var tree = Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Reverse().Append(dir);
            foreach (var d in tree)
                for (int attempt = 0; ; attempt++)
                {
                    try { Directory.Delete(d); break; }   // rmdir: a cgroup directory's files are not real files
                    catch (DirectoryNotFoundException) { break; }
                    catch (IOException e) when (attempt < 20) { _ = e; Thread.Sleep(50); }
                    catch (IOException e) { Console.Error.WriteLine($"cleanup: rmdir {d}: {e.Message}"); break; }
                }
        }
    }
}
