using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Runtime.Logging;
using Runtime.Spec;

namespace Runtime.Seccomp;

/// <summary>
/// Compiled filters kept on disk, so a profile compiles once per host instead of once per container:
/// containerd and podman send the same default profile for every container, and compiling it costs
/// tens of milliseconds of libseccomp (crun keeps a cache for the same reason; runc compiles every
/// time). The key covers everything the bytes depend on: the profile, this runtime build, the
/// libseccomp version and the kernel release (flag and action support). Entries are validated like
/// any serialized filter when read; anything unreadable is recompiled. The directory belongs in the
/// (root-only) state root.
/// </summary>
internal static class SeccompCache
{
    private const int MaxEntries = 64;
    private const long MaxFileSize = 12 + 8 * Linux.Libc.BPF_MAXINSNS;

    /// <summary>The filter for <paramref name="seccomp"/> from <paramref name="cacheDir"/>, compiling
    /// and storing it on a miss; null when the profile asks for no filter.</summary>
    public static CompiledFilter? GetOrCompile(LinuxSeccomp? seccomp, string cacheDir)
    {
        if (!SeccompCompiler.IsRequested(seccomp))
            return null;
        var path = Path.Combine(cacheDir, Key(seccomp!) + ".bpf");
        if (TryRead(path) is { } cached)
        {
            Log.Debug($"seccomp: compiled filter from {path}");
            return cached;
        }
        var filter = SeccompCompiler.Compile(seccomp)!;
        TryStore(cacheDir, path, filter.Serialize());
        return filter;
    }

    internal static string Key(LinuxSeccomp seccomp)
    {
        var id = new StringBuilder("runtime-seccomp-cache 1\n")
            .Append(Cli.VersionInfo.Version).Append(' ').Append(Cli.VersionInfo.Commit).Append('\n')
            .Append(ExecutableIdentity()).Append('\n')
            .Append(Libseccomp.Version).Append('\n')
            .Append(KernelRelease()).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(id.ToString()).Concat(JsonSerializer.SerializeToUtf8Bytes(seccomp, SpecJsonContext.Default.LinuxSeccomp));
        return Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
    }

    /// <summary>Device, inode, size and mtime of our executable: a rebuilt binary never reads the
    /// filters an older build wrote, even when both say the same version.</summary>
    private static string ExecutableIdentity()
    {
        if (Environment.ProcessPath is not { } exe || Linux.Libc.FstatAt(Linux.Libc.AT_FDCWD, exe, out var st, 0) != 0)
            return "unknown";
        return $"{st.Dev}:{st.Ino}:{st.Size}:{st.Mtime}.{st.MtimeNsec}";
    }

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static CompiledFilter? TryRead(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileSize)
                return null;
            // A filter is loaded into containers: only trust entries nobody else could have written.
            if (!OwnedAndPrivate(Path.GetDirectoryName(path)!) || !OwnedAndPrivate(path))
            {
                Log.Debug($"seccomp: ignoring cached filter {path}: not owned by us or writable by others");
                return null;
            }
            return CompiledFilter.Deserialize(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RuntimeException)
        {
            Log.Debug($"seccomp: ignoring cached filter {path}: {e.Message}");
            return null;
        }
    }

    private static bool OwnedAndPrivate(string path) =>
        Linux.Libc.FstatAt(Linux.Libc.AT_FDCWD, path, out var st, Linux.Libc.AT_SYMLINK_NOFOLLOW) == 0
        && st.Uid == Linux.Libc.GetUid() && (st.Mode & 0x12 /* 022 */) == 0;

    /// <summary>Atomic (write, then rename); a cache that cannot be written is only a slower create.</summary>
    private static void TryStore(string cacheDir, string path, byte[] bytes)
    {
        try
        {
            if (Linux.Libc.MkdirAt(Linux.Libc.AT_FDCWD, cacheDir, 0x1c0 /* 0700 */) == -1 && Linux.Libc.LastErrno != Linux.Errnos.EEXIST)
                throw new IOException($"mkdir {cacheDir}: {Linux.Errnos.Describe(Linux.Libc.LastErrno)}");
            var tmp = $"{path}.{Environment.ProcessId}.tmp";
            try
            {
                File.WriteAllBytes(tmp, bytes);
                File.Move(tmp, path, overwrite: true);
            }
            finally
            {
                File.Delete(tmp);
            }
            var entries = new DirectoryInfo(cacheDir).GetFiles("*.bpf");
            foreach (var old in entries.OrderByDescending(f => f.LastWriteTimeUtc).Skip(MaxEntries))
                old.Delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Debug($"seccomp: cannot cache the compiled filter in {cacheDir}: {e.Message}");
        }
    }
}
