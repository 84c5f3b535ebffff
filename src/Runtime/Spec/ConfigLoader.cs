using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Runtime.Linux;
using Runtime.Spec.Validation;

namespace Runtime.Spec;

/// <summary>A bundle's config: the parsed spec, the bundle's absolute path and the file's exact bytes
/// (what the init receives), plus the warnings validation had (runc logs the same ones).</summary>
public sealed class LoadedConfig(Spec spec, string bundlePath, byte[] configBytes, IReadOnlyList<string> warnings)
{
    public Spec Spec { get; } = spec;
    /// <summary>Absolute, as the kernel names the directory (symlinks resolved, like runc's getcwd).</summary>
    public string BundlePath { get; } = bundlePath;
    public byte[] ConfigBytes { get; } = configBytes;
    public IReadOnlyList<string> Warnings { get; } = warnings;

    /// <summary>root.path made absolute against the bundle; null when the config has no root.path.</summary>
    public string? RootfsPath =>
        Spec.Root?.Path is { Length: > 0 } p ? RootValidator.ResolveRootfs(BundlePath, p) : null;
}

/// <summary>
/// Reads and checks the JSON the runtime is given: a bundle's config.json (create, run), a process file
/// (exec --process), a resources document (update --resources). One source-generated deserialization on
/// the success path; errors say which file, which field and what was wrong.
/// </summary>
public static class ConfigLoader
{
    public const string ConfigFileName = "config.json";

    /// <summary>Loads and validates &lt;bundle&gt;/config.json.</summary>
    public static LoadedConfig Load(string bundleDir, ValidationOptions? options = null)
    {
        var bundleArg = string.IsNullOrEmpty(bundleDir) ? "." : bundleDir;
        int dirFd = Libc.Open(bundleArg, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (dirFd == -1)
        {
            int errno = Libc.LastErrno;
            var full = Path.GetFullPath(bundleArg);
            throw new RuntimeException(errno switch
            {
                Errnos.ENOENT => $"bundle {full} does not exist",
                Errnos.ENOTDIR => $"bundle {full} is not a directory",
                _ => $"bundle {full}: cannot open: {Errnos.Describe(errno)}",
            });
        }
        byte[] bytes;
        string bundle;
        try
        {
            bundle = FdPath(dirFd) ?? Path.GetFullPath(bundleArg);
            int fd = Libc.OpenAt(dirFd, ConfigFileName, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY, 0);
            if (fd == -1)
            {
                int errno = Libc.LastErrno;
                throw new RuntimeException(errno == Errnos.ENOENT
                    // runc's words, with the bundle named.
                    ? $"JSON specification file {ConfigFileName} not found in bundle {bundle}"
                    : $"{ConfigFileName}: cannot open {Path.Combine(bundle, ConfigFileName)}: {Errnos.Describe(errno)}");
            }
            try
            {
                bytes = ReadAll(fd, ConfigFileName);
            }
            finally
            {
                Libc.Close(fd);
            }
        }
        finally
        {
            Libc.Close(dirFd);
        }

        var spec = Parse(bytes, SpecJsonContext.Default.Spec, ConfigFileName);
        var result = SpecValidator.Check(spec, (options ?? ValidationOptions.Default) with { BundlePath = bundle });
        result.ThrowIfInvalid(ConfigFileName);
        return new LoadedConfig(spec, bundle, bytes, result.Warnings);
    }

    /// <summary>Loads and validates a process file for `exec --process FILE`; errors start with the file name.</summary>
    public static Process LoadProcess(string file, ValidationOptions? options = null)
    {
        int fd = Libc.Open(file, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY, 0);
        if (fd == -1)
            throw new RuntimeException($"{file}: cannot open: {Errnos.Describe(Libc.LastErrno)}");
        byte[] bytes;
        try
        {
            bytes = ReadAll(fd, file);
        }
        finally
        {
            Libc.Close(fd);
        }
        var process = Parse(bytes, SpecJsonContext.Default.Process, file);
        SpecValidator.CheckProcess(process, options).ThrowIfInvalid(file);
        return process;
    }

    /// <summary>Parses and validates resources for `update --resources` (a file, or stdin for "-").</summary>
    public static LinuxResources LoadResources(Stream stream, string sourceName)
    {
        var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (IOException e)
        {
            throw new RuntimeException($"{sourceName}: cannot read: {e.Message}");
        }
        return LoadResources(buffer.ToArray(), sourceName);
    }

    public static LinuxResources LoadResources(byte[] json, string sourceName)
    {
        var resources = Parse(json, SpecJsonContext.Default.LinuxResources, sourceName);
        SpecValidator.CheckResources(resources).ThrowIfInvalid(sourceName);
        return resources;
    }

    /// <summary>Parses without semantic checks; type and syntax errors are reported as "source: path: problem".</summary>
    public static T Parse<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> type, string source) where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(json.Span, type);
        }
        catch (JsonException e)
        {
            throw JsonErrors.Describe(source, json, e, type);
        }
        return value ?? throw new RuntimeException($"{source}: expected a JSON object, got null");
    }

    /// <summary>Reads a file to its end (files in /proc and pipes have no useful size).</summary>
    private static unsafe byte[] ReadAll(int fd, string what)
    {
        var buffer = new byte[16 * 1024];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
                Array.Resize(ref buffer, buffer.Length * 2);
            nint n;
            fixed (byte* p = &buffer[length])
                n = Libc.Read(fd, p, buffer.Length - length);
            if (n == 0)
                break;
            if (n < 0)
            {
                int errno = Libc.LastErrno;
                if (errno == Errnos.EINTR)
                    continue;
                throw new RuntimeException($"{what}: cannot read: {Errnos.Describe(errno)}");
            }
            length += (int)n;
        }
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>The kernel's name for an open directory (readlink /proc/self/fd/N): absolute and clean.</summary>
    private static unsafe string? FdPath(int fd)
    {
        var buf = stackalloc byte[4096];
        nint n = Libc.ReadlinkAt(Libc.AT_FDCWD, $"/proc/self/fd/{fd}", buf, 4096);
        if (n <= 0 || n >= 4096 || buf[0] != '/')
            return null;
        return System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }
}
