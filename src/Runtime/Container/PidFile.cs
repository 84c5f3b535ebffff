namespace Runtime.Container;

/// <summary>--pid-file: the host pid, written atomically (a reader never sees a partial file).</summary>
internal static class PidFile
{
    public static void Write(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        try
        {
            File.WriteAllText(tmp, pid.ToString());
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new RuntimeException($"--pid-file {full}: {e.Message}");
        }
    }
}
