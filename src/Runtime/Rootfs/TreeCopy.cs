using Runtime.Linux;

namespace Runtime.Rootfs;

/// <summary>A plain recursive copy for tmpcopyup: regular files, directories and symlinks, with
/// their modes and owners; devices and sockets are skipped, symlinks are never followed.</summary>
internal static class TreeCopy
{
    public static void Copy(string from, string to, string what)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            try
            {
                if (entry.LinkTarget is { } link)
                    File.CreateSymbolicLink(target, link);
                else if (entry is DirectoryInfo)
                {
                    Directory.CreateDirectory(target);
                    Copy(entry.FullName, target, what);
                }
                else if (entry is FileInfo file && (entry.Attributes & FileAttributes.Device) == 0)
                    file.CopyTo(target);
                else
                    continue;
                if (Libc.FstatAt(Libc.AT_FDCWD, entry.FullName, out var st, Libc.AT_SYMLINK_NOFOLLOW) == 0)
                {
                    Libc.FchownAt(Libc.AT_FDCWD, target, st.Uid, st.Gid, Libc.AT_SYMLINK_NOFOLLOW);
                    if (entry.LinkTarget == null)
                        Libc.Chmod(target, st.Mode & 0xfff);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeException($"{what}: copy {entry.Name}: {e.Message}");
            }
        }
    }
}
