using System.Globalization;
using System.Text;
using Runtime.Linux;

namespace Runtime.Cgroups;

/// <summary>
/// Reading and writing cgroup control files. Each value is written with one write(2) (the kernel parses one
/// command per write); files are never created (O_CREAT) so a missing knob is an error, not a new file.
/// Failures name the OCI field that asked for the write, the file and errno:
/// "linux.resources.memory.limit: write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: EINVAL (Invalid argument)".
/// </summary>
internal static unsafe class CgroupFile
{
    /// <summary>Reads a whole (small) control file; null when it does not exist (ENOENT, or ENODEV for a removed cgroup).</summary>
    public static string? TryRead(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Libc.LastErrno;
            if (errno is Errnos.ENOENT or Errnos.ENODEV) return null;
            throw new SyscallException($"open {path}", errno);
        }
        try
        {
            var buf = new byte[4096];
            int len = 0;
            while (true)
            {
                if (len == buf.Length) Array.Resize(ref buf, buf.Length * 2);
                nint n;
                fixed (byte* p = &buf[len])
                    while ((n = Libc.Read(fd, p, buf.Length - len)) < 0 && Libc.LastErrno == Errnos.EINTR) { }
                if (n < 0)
                {
                    int errno = Libc.LastErrno;
                    if (errno == Errnos.ENODEV) return null;
                    throw new SyscallException($"read {path}", errno);
                }
                if (n == 0) break;
                len += (int)n;
            }
            return Encoding.UTF8.GetString(buf, 0, len);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public static string Read(string path) =>
        TryRead(path) ?? throw new SyscallException($"open {path}", Errnos.ENOENT);

    public static bool Exists(string path)
    {
        int fd = Libc.Open(path, Libc.O_PATH | Libc.O_CLOEXEC, 0);
        if (fd < 0) return false;
        Libc.Close(fd);
        return true;
    }

    /// <summary>Writes each value with its own write(2) on one open file; returns 0, or errno and how many values went in.</summary>
    public static int TryWrite(string path, IReadOnlyList<string> values, out int written)
    {
        written = 0;
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_TRUNC | Libc.O_CLOEXEC, 0);
        if (fd < 0) return Libc.LastErrno;
        try
        {
            foreach (var value in values)
            {
                var bytes = Encoding.UTF8.GetBytes(value);
                nint n;
                fixed (byte* p = bytes)
                    while ((n = Libc.Write(fd, p, bytes.Length)) < 0 && Libc.LastErrno == Errnos.EINTR) { }
                if (n < 0) return Libc.LastErrno;
                if (n != bytes.Length) return Errnos.EIO;
                written++;
            }
            return 0;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public static int TryWrite(string path, string value) => TryWrite(path, [value], out _);

    /// <summary>Writes or throws a <see cref="RuntimeException"/> naming <paramref name="field"/>.</summary>
    public static void Write(string field, string path, string value)
    {
        int errno = TryWrite(path, value);
        if (errno != 0) throw WriteError(field, path, errno);
    }

    public static RuntimeException WriteError(string field, string path, int errno) =>
        new($"{field}: write {path}: {Errnos.Describe(errno)}");

    /// <summary>A number as cgroup files print it; "max" (no limit) is ulong.MaxValue, a negative value 0.</summary>
    public static ulong ParseUInt(string text)
    {
        text = text.Trim();
        if (text == "max") return ulong.MaxValue;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) && s < 0) return 0;
        throw new FormatException($"not a number: \"{text}\"");
    }

    public static ulong? TryReadUInt(string path)
    {
        if (TryRead(path) is not { } text) return null;
        try
        {
            return ParseUInt(text);
        }
        catch (FormatException e)
        {
            throw new RuntimeException($"{path}: {e.Message}");
        }
    }

    public static ulong ReadUInt(string path) =>
        TryReadUInt(path) ?? throw new SyscallException($"open {path}", Errnos.ENOENT);

    /// <summary>"key value" lines (memory.stat, cpu.stat, memory.events) as a dictionary.</summary>
    public static Dictionary<string, ulong> ReadKeyValues(string path)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (TryRead(path) is not { } text) return result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int sp = line.IndexOf(' ');
            if (sp <= 0) continue;
            try
            {
                result[line[..sp]] = ParseUInt(line[(sp + 1)..]);
            }
            catch (FormatException e)
            {
                throw new RuntimeException($"{path}: {e.Message} in \"{line}\"");
            }
        }
        return result;
    }

    /// <summary>The pids listed in a cgroup.procs file; empty when the cgroup is gone.</summary>
    public static List<int> ReadProcs(string dir)
    {
        var pids = new List<int>();
        if (TryRead(Path.Combine(dir, "cgroup.procs")) is not { } text) return pids;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            pids.Add(int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture));
        return pids;
    }

    public static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
    public static string Num(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
