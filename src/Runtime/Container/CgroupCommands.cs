using System.Diagnostics;
using System.Text.Json;
using Runtime.Cgroups;
using Runtime.Spec;
using Runtime.State;

namespace Runtime.Container;

/// <summary>The commands that work on a container's cgroup: pause, resume, ps, update, events.</summary>
internal static class CgroupCommands
{
    public static void Pause(string root, string id)
    {
        using var dir = new StateStore(root).Open(id);
        var (record, status) = Read(dir);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created))
            throw new RuntimeException("container not running");
        Manager(record).Freeze();
    }

    public static void Resume(string root, string id)
    {
        using var dir = new StateStore(root).Open(id);
        var (record, status) = Read(dir);
        if (status != ContainerStatus.Paused)
            throw new RuntimeException("container not paused");
        Manager(record).Thaw();
    }

    /// <summary>`ps --format json`: the host pids in the container's cgroup.</summary>
    public static List<int> Pids(string root, string id)
    {
        using var dir = new StateStore(root).Open(id, locked: false);
        var (record, status) = Read(dir);
        if (status == ContainerStatus.Stopped)
            throw new RuntimeException("container not running");
        return Manager(record).Pids().OrderBy(p => p).ToList();
    }

    /// <summary>`ps` (table): ps(1) on the host with the given arguments (runc's default -ef), its
    /// header and the lines of the container's processes.</summary>
    public static string PsTable(string root, string id, string[] psArgs)
    {
        var pids = Pids(root, id).ToHashSet();
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in psArgs.Length > 0 ? psArgs : new[] { "-ef" }) psi.ArgumentList.Add(a);
        using var ps = System.Diagnostics.Process.Start(psi) ?? throw new RuntimeException("ps: cannot run ps(1)");
        var lines = ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ps.WaitForExit();
        if (ps.ExitCode != 0 || lines.Length == 0)
            throw new RuntimeException($"ps: ps {string.Join(' ', psi.ArgumentList)} failed: {ps.StandardError.ReadToEnd().Trim()}");
        int pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0)
            throw new RuntimeException("ps: couldn't find PID field in ps output");
        var result = new List<string> { lines[0] };
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > pidColumn && int.TryParse(fields[pidColumn], out int pid) && pids.Contains(pid))
                result.Add(line);
        }
        return string.Join('\n', result) + "\n";
    }

    public static void Update(string root, string id, LinuxResources resources)
    {
        using var dir = new StateStore(root).Open(id);
        var (record, status) = Read(dir);
        if (status == ContainerStatus.Stopped)
            throw new RuntimeException("container not running");
        Manager(record).Update(resources);
    }

    /// <summary>`events`: stats (once with --stats, else every interval) and OOM events, one JSON
    /// object per line, until the container stops.</summary>
    public static void Events(string root, string id, TimeSpan interval, bool statsOnce, TextWriter output)
    {
        ContainerRecord record;
        using (var dir = new StateStore(root).Open(id, locked: false))
        {
            (record, var status) = Read(dir);
            if (status == ContainerStatus.Stopped)
                throw new RuntimeException("container not running");
        }
        var cgroup = Manager(record);
        if (statsOnce)
        {
            output.WriteLine(CgroupEvent.StatsJson(id, cgroup.Stats()));
            return;
        }
        ulong ooms = cgroup.OomKillCount();
        while (Process.ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
        {
            output.WriteLine(CgroupEvent.StatsJson(id, cgroup.Stats()));
            output.Flush();
            var until = DateTime.UtcNow + interval;
            while (DateTime.UtcNow < until && Process.ProcessInfo.IsAlive(record.Pid, record.PidStartTime))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(200, interval.TotalMilliseconds)));
                var now = cgroup.OomKillCount();
                if (now > ooms)
                {
                    output.WriteLine(CgroupEvent.OomJson(id));
                    output.Flush();
                    ooms = now;
                }
            }
        }
    }

    private static (ContainerRecord, string) Read(ContainerDir dir)
    {
        var record = dir.Read();
        return (record, ContainerStatus.Of(record, dir));
    }

    private static CgroupManager Manager(ContainerRecord record) =>
        record.Cgroup != null
            ? CgroupManager.FromSavedPaths(record.Cgroup, Logging.Log.Warn)
            : throw new RuntimeException("container has no cgroup");
}
