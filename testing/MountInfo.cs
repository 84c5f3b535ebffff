namespace Runtime.Testing;

/// <summary>One line of /proc/PID/mountinfo (proc(5)).</summary>
public sealed record MountInfo(int Id, int ParentId, string Root, string MountPoint, string[] MountOptions,
    string[] OptionalFields, string FsType, string Source, string[] SuperOptions)
{
    public bool ReadOnly => MountOptions.Contains("ro");
    public bool Has(string option) => MountOptions.Contains(option) || SuperOptions.Contains(option);
    /// <summary>"shared:N", "master:N", "propagate_from:N", "unbindable" entries.</summary>
    public bool IsShared => OptionalFields.Any(f => f.StartsWith("shared:", StringComparison.Ordinal));
    public bool IsSlave => OptionalFields.Any(f => f.StartsWith("master:", StringComparison.Ordinal));
    public bool IsUnbindable => OptionalFields.Contains("unbindable");
    public bool IsPrivate => !IsShared && !IsSlave && !IsUnbindable;

    public static List<MountInfo> Read(string file) => Parse(File.ReadAllText(file));

    public static List<MountInfo> Parse(string text)
    {
        var list = new List<MountInfo>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0) continue;
            var pre = line[..sep].Split(' ');
            var post = line[(sep + 3)..].Split(' ');
            if (pre.Length < 6 || post.Length < 3) continue;
            list.Add(new MountInfo(int.Parse(pre[0]), int.Parse(pre[1]), Unescape(pre[3]), Unescape(pre[4]), pre[5].Split(','),
                pre[6..], post[0], Unescape(post[1]), post[2].Split(',')));
        }
        return list;
    }

    /// <summary>The mount visible at <paramref name="mountPoint"/> (the last one mounted there), or null.</summary>
    public static MountInfo? At(IEnumerable<MountInfo> mounts, string mountPoint) => mounts.LastOrDefault(m => m.MountPoint == mountPoint);

    private static string Unescape(string s) => s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");

    public override string ToString() =>
        $"{Id} {ParentId} {Root} {MountPoint} {string.Join(',', MountOptions)} {string.Join(' ', OptionalFields)} - {FsType} {Source} {string.Join(',', SuperOptions)}";
}
