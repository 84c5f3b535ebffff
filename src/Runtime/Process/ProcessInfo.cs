namespace Runtime.Process;

/// <summary>Facts about a host process read from /proc/&lt;pid&gt;/stat.</summary>
public static class ProcessInfo
{
    /// <summary>Start time in clock ticks since boot (stat field 22), or null if the process is gone.</summary>
    public static ulong? StartTime(int pid) => ReadStat(pid) is { } s ? s.StartTime : null;

    /// <summary>Alive means: exists, is not a zombie, and is the same process we started (start time matches),
    /// so a pid reused by an unrelated process never reads as our container.</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        if (pid <= 0)
            return false;
        var s = ReadStat(pid);
        return s is { } st && st.State is not ('Z' or 'X') && (startTime == 0 || st.StartTime == startTime);
    }

    private static (char State, ulong StartTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // comm may contain spaces and parentheses: fields start after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0].Length != 1 || !ulong.TryParse(fields[19], out var start))
            return null;
        return (fields[0][0], start);
    }
}
