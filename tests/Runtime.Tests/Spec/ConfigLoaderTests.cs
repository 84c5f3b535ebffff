using System.Text;
using NUnit.Framework;
using Runtime.Spec;
using Runtime.Spec.Validation;

namespace Runtime.Tests.SpecTests;

/// <summary>Reading config.json, process files and resources: the success path and every way it fails.</summary>
public class ConfigLoaderTests
{
    private static string LoadError(string json)
    {
        using var b = new TempBundle().WithConfig(json);
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(b.Dir))!;
        return e.Message;
    }

    [Test]
    public void LoadsAValidBundleKeepingTheExactBytesAndAnAbsoluteBundlePath()
    {
        using var b = new TempBundle().WithConfig(TempBundle.Config());
        var loaded = ConfigLoader.Load(b.Dir);
        Assert.That(loaded.ConfigBytes, Is.EqualTo(File.ReadAllBytes(b.ConfigPath)));
        Assert.That(loaded.BundlePath, Is.EqualTo(b.Dir));
        Assert.That(loaded.RootfsPath, Is.EqualTo(Path.Combine(b.Dir, "rootfs")));
        Assert.That(loaded.Spec.Process!.Args, Is.EqualTo(new[] { "sh" }));
        Assert.That(loaded.Warnings, Is.Empty);
    }

    [Test]
    public void BundlePathIsTheKernelsNameForTheDirectoryEvenThroughARelativeSymlink()
    {
        using var b = new TempBundle().WithConfig(TempBundle.Config());
        var link = b.Dir + "-link";
        File.CreateSymbolicLink(link, b.Dir);
        try
        {
            Assert.That(ConfigLoader.Load(link).BundlePath, Is.EqualTo(b.Dir));
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Test]
    public void MissingBundle()
    {
        var dir = "/nonexistent-bundle-" + Guid.NewGuid().ToString("N");
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(dir))!;
        Assert.That(e.Message, Is.EqualTo($"bundle {dir} does not exist"));
    }

    [Test]
    public void BundleThatIsAFile()
    {
        using var b = new TempBundle();
        var file = b.WriteFile("not-a-dir", "x");
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(file))!;
        Assert.That(e.Message, Is.EqualTo($"bundle {file} is not a directory"));
    }

    [Test]
    public void MissingConfigUsesRuncsWords()
    {
        using var b = new TempBundle();
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(b.Dir))!;
        Assert.That(e.Message, Is.EqualTo($"JSON specification file config.json not found in bundle {b.Dir}"));
    }

    [Test]
    public void UnreadableConfigNamesTheErrno()
    {
        using var b = new TempBundle();
        Directory.CreateDirectory(b.ConfigPath);
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(b.Dir))!;
        Assert.That(e.Message, Is.EqualTo("config.json: cannot read: EISDIR (Is a directory)"));
    }

    [Test]
    public void EmptyConfig() =>
        Assert.That(LoadError("  \n"), Is.EqualTo("config.json: empty file (expected a JSON object)"));

    [Test]
    public void NullDocument() =>
        Assert.That(LoadError("null"), Is.EqualTo("config.json: expected a JSON object, got null"));

    [Test]
    public void DocumentThatIsNotAnObject() =>
        Assert.That(LoadError("[1, 2]"), Is.EqualTo("config.json: expected object, got an array"));

    [Test]
    public void TrailingCommaIsInvalidJsonWithLineAndColumn() =>
        Assert.That(LoadError("{\n  \"ociVersion\": \"1.2.0\",\n}"),
            Is.EqualTo("config.json: invalid JSON at line 3, column 1: unexpected '}'"));

    [Test]
    public void MissingColonIsInvalidJson() =>
        Assert.That(LoadError("{\"ociVersion\" \"1.2.0\"}"),
            Is.EqualTo("config.json: invalid JSON at line 1, column 15: unexpected '\"'"));

    [Test]
    public void TruncatedFileIsInvalidJson() =>
        Assert.That(LoadError("{\"ociVersion\": \"1.2.0\",\n \"root\": {"),
            Does.Match(@"^config\.json: invalid JSON at line 2, column \d+: unexpected end of file$"));

    [Test]
    public void CommentsAreInvalidJson() =>
        Assert.That(LoadError("{ // a comment\n}"), Is.EqualTo("config.json: invalid JSON at line 1, column 3: unexpected '/'"));

    [TestCase("\"linux\": {\"resources\": {\"memory\": {\"limit\": \"1g\"}}}", "linux.resources.memory.limit: expected integer, got \"1g\"")]
    [TestCase("\"linux\": {\"resources\": {\"memory\": {\"limit\": 1.5}}}", "linux.resources.memory.limit: expected integer, got 1.5")]
    [TestCase("\"linux\": {\"resources\": {\"memory\": {\"limit\": 9223372036854775808}}}", "linux.resources.memory.limit: 9223372036854775808 is out of range for integer (-9223372036854775808 to 9223372036854775807)")]
    [TestCase("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 4294967296}]}", "linux.uidMappings[0].size: 4294967296 is out of range for unsigned integer (0 to 4294967295)")]
    [TestCase("\"linux\": {\"uidMappings\": [{\"containerID\": -1, \"hostID\": 0, \"size\": 1}]}", "linux.uidMappings[0].containerID: expected unsigned integer, got -1")]
    [TestCase("\"mounts\": [{\"destination\": \"/a\"}, {\"destination\": \"/b\"}, {\"destination\": \"/c\", \"options\": [7]}]", "mounts[2].options[0]: expected string, got 7")]
    [TestCase("\"mounts\": [{\"destination\": \"/a\", \"type\": false}]", "mounts[0].type: expected string, got false")]
    [TestCase("\"mounts\": {\"destination\": \"/a\"}", "mounts: expected array, got an object")]
    [TestCase("\"mounts\": [\"/a\"]", "mounts[0]: expected object, got \"/a\"")]
    [TestCase("\"hostname\": [\"a\"]", "hostname: expected string, got an array")]
    [TestCase("\"root\": {\"path\": \"rootfs\", \"readonly\": \"yes\"}", "root.readonly: expected boolean, got \"yes\"")]
    [TestCase("\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": 1}}", "linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got 1")]
    [TestCase("\"linux\": {\"timeOffsets\": {\"monotonic\": {\"secs\": \"10\"}}}", "linux.timeOffsets[\"monotonic\"].secs: expected integer, got \"10\"")]
    [TestCase("\"annotations\": {\"a.b\": {\"c\": 1}}", "annotations[\"a.b\"]: expected string, got an object")]
    [TestCase("\"linux\": {\"resources\": {\"devices\": [{\"allow\": \"true\"}]}}", "linux.resources.devices[0].allow: expected boolean, got \"true\"")]
    [TestCase("\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 2147483648}]}", "hooks.prestart[0].timeout: 2147483648 is out of range for integer (-2147483648 to 2147483647)")]
    public void TypeErrorsNameThePathTheExpectedTypeAndTheValue(string extra, string expected)
    {
        var root = extra.StartsWith("\"root\"", StringComparison.Ordinal);
        var json = root
            ? "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}, " + extra + "}"
            : TempBundle.Config(extra: extra);
        Assert.That(LoadError(json), Is.EqualTo("config.json: " + expected));
    }

    [Test]
    public void NullForANumberIsATypeError() =>
        Assert.That(LoadError(TempBundle.Config(process: "{\"user\": {\"uid\": null, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"}")),
            Is.EqualTo("config.json: process.user.uid: expected unsigned integer, got null"));

    [Test]
    public void NullForAnObjectOrListIsTheSameAsAbsent()
    {
        using var b = new TempBundle().WithConfig(TempBundle.Config(linux: "null",
            extra: "\"hostname\": null, \"mounts\": null, \"hooks\": null, \"annotations\": null"));
        var spec = ConfigLoader.Load(b.Dir).Spec;
        Assert.That(spec.Linux, Is.Null);
        Assert.That(spec.Mounts, Is.Null);
        Assert.That(spec.Hostname, Is.Null);
    }

    [Test]
    public void NullProcessIsMissingWhenAProcessIsRequired()
    {
        var json = "{\"ociVersion\": \"1.2.0\", \"process\": null, \"root\": {\"path\": \"rootfs\"}}";
        Assert.That(LoadError(json), Is.EqualTo("config.json: process: required to create a container"));
        using var b = new TempBundle().WithConfig(json);
        Assert.That(ConfigLoader.Load(b.Dir, new ValidationOptions { RequireProcess = false }).Spec.Process, Is.Null);
    }

    [Test]
    public void UnknownFieldsAreIgnoredEvenWithValuesOfAnyType()
    {
        using var b = new TempBundle().WithConfig(TempBundle.Config(
            process: "{\"args\": [\"sh\"], \"cwd\": \"/\", \"futureField\": [1, {\"x\": null}], \"user\": {\"uid\": 1, \"gid\": 2, \"sid\": \"S-1\"}}",
            linux: "{\"namespaces\": [{\"type\": \"pid\", \"flags\": 7}], \"somethingNew\": {\"deep\": [true]}}",
            extra: "\"windows\": {\"layerFolders\": [\"c:\\\\x\"]}, \"solaris\": {\"milestone\": \"m\"}, \"vm\": {\"kernel\": {\"path\": \"/k\"}}, \"x-vendor\": 1"));
        var spec = ConfigLoader.Load(b.Dir).Spec;
        Assert.That(spec.Process!.User!.Gid, Is.EqualTo(2));
        Assert.That(spec.Linux!.Namespaces![0].Type, Is.EqualTo("pid"));
    }

    [Test]
    public void BigNumbersUpToUint64Max()
    {
        using var b = new TempBundle().WithConfig(TempBundle.Config(
            process: "{\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"hard\": 18446744073709551615, \"soft\": 18446744073709551615}]}",
            linux: "{\"resources\": {\"memory\": {\"limit\": 9223372036854775807, \"swap\": -1, \"swappiness\": 18446744073709551615}, " +
                   "\"cpu\": {\"period\": 18446744073709551615, \"quota\": -1}, \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 18446744073709551615}]}}"));
        var spec = ConfigLoader.Load(b.Dir).Spec;
        Assert.That(spec.Process!.Rlimits![0].Hard, Is.EqualTo(ulong.MaxValue));
        Assert.That(spec.Linux!.Resources!.Memory!.Limit, Is.EqualTo(long.MaxValue));
        Assert.That(spec.Linux.Resources.Memory.Swap, Is.EqualTo(-1));
        Assert.That(spec.Linux.Resources.Cpu!.Period, Is.EqualTo(ulong.MaxValue));
        Assert.That(spec.Linux.Resources.HugepageLimits![0].Limit, Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void AOneMegabyteConfigParses()
    {
        var env = new StringBuilder();
        for (int i = 0; env.Length < 1_100_000; i++)
            env.Append(i == 0 ? "" : ", ").Append($"\"VARIABLE_{i}=value of the variable number {i} padded out to be long\"");
        var json = TempBundle.Config(process: "{\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [" + env + "]}");
        using var b = new TempBundle().WithConfig(json);
        var loaded = ConfigLoader.Load(b.Dir);
        Assert.That(loaded.ConfigBytes.Length, Is.GreaterThan(1_000_000));
        Assert.That(loaded.Spec.Process!.Env!.Count, Is.GreaterThan(10_000));
    }

    [Test]
    public void ValidationProblemsArePrefixedWithTheFileName() =>
        Assert.That(LoadError(TempBundle.Config(process: "{\"args\": [], \"cwd\": \"/\"}")),
            Is.EqualTo("config.json: process.args: must contain at least one entry (the program to run)"));

    [Test]
    public void MissingRootfsDirectory()
    {
        using var b = new TempBundle(withRootfs: false).WithConfig(TempBundle.Config());
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(b.Dir))!;
        Assert.That(e.Message, Is.EqualTo($"config.json: root.path: {b.Dir}/rootfs does not exist"));
    }

    [Test]
    public void RootfsThatIsAFile()
    {
        using var b = new TempBundle(withRootfs: false).WithConfig(TempBundle.Config());
        b.WriteFile("rootfs", "");
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.Load(b.Dir))!;
        Assert.That(e.Message, Is.EqualTo($"config.json: root.path: {b.Dir}/rootfs is not a directory"));
    }

    [Test]
    public void RelativeMountDestinationIsAWarningLikeRunc()
    {
        using var b = new TempBundle().WithConfig(TempBundle.Config(extra: "\"mounts\": [{\"destination\": \"tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"));
        Assert.That(ConfigLoader.Load(b.Dir).Warnings,
            Is.EqualTo(new[] { "mounts[0].destination: \"tmp\" is not absolute: taken as relative to \"/\" (deprecated)" }));
    }

    [Test]
    public void ProcessFileLoadsAndValidates()
    {
        using var b = new TempBundle();
        var file = b.WriteFile("process.json", "{\"args\": [\"ps\"], \"cwd\": \"/\", \"env\": [\"A=b\"], \"user\": {\"uid\": 5, \"gid\": 6}}");
        var p = ConfigLoader.LoadProcess(file);
        Assert.That(p.Args, Is.EqualTo(new[] { "ps" }));
        Assert.That(p.User!.Uid, Is.EqualTo(5));
    }

    [Test]
    public void ProcessFileErrorsStartWithTheFileName()
    {
        using var b = new TempBundle();
        var missing = Path.Combine(b.Dir, "nope.json");
        Assert.That(Assert.Throws<RuntimeException>(() => ConfigLoader.LoadProcess(missing))!.Message,
            Is.EqualTo($"{missing}: cannot open: ENOENT (No such file or directory)"));
        var typed = b.WriteFile("typed.json", "{\"args\": [\"ps\"], \"cwd\": \"/\", \"user\": {\"uid\": \"root\"}}");
        Assert.That(Assert.Throws<RuntimeException>(() => ConfigLoader.LoadProcess(typed))!.Message,
            Is.EqualTo($"{typed}: user.uid: expected unsigned integer, got \"root\""));
        var invalid = b.WriteFile("invalid.json", "{\"args\": [\"ps\"], \"cwd\": \"relative\"}");
        Assert.That(Assert.Throws<RuntimeException>(() => ConfigLoader.LoadProcess(invalid))!.Message,
            Is.EqualTo($"{invalid}: cwd: \"relative\" is not an absolute path"));
        var caps = b.WriteFile("caps.json", "{\"args\": [\"ps\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_FOO\"]}}");
        Assert.That(Assert.Throws<RuntimeException>(() => ConfigLoader.LoadProcess(caps))!.Message,
            Is.EqualTo($"{caps}: capabilities.bounding[2]: unknown capability \"CAP_FOO\""));
    }

    [Test]
    public void ResourcesFromAStream()
    {
        var ok = ConfigLoader.LoadResources(new MemoryStream("{\"memory\": {\"limit\": 1048576}, \"pids\": {\"limit\": 10}}"u8.ToArray()), "stdin");
        Assert.That(ok.Memory!.Limit, Is.EqualTo(1048576));
        Assert.That(ok.Pids!.Limit, Is.EqualTo(10));
        var e = Assert.Throws<RuntimeException>(() => ConfigLoader.LoadResources(new MemoryStream("{\"memory\": {\"limit\": \"1g\"}}"u8.ToArray()), "stdin"))!;
        Assert.That(e.Message, Is.EqualTo("stdin: memory.limit: expected integer, got \"1g\""));
        e = Assert.Throws<RuntimeException>(() => ConfigLoader.LoadResources("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}"u8.ToArray(), "r.json"))!;
        Assert.That(e.Message, Is.EqualTo("r.json: devices[0].access: \"rwx\" may only contain r, w and m"));
    }
}

public class ConfigLoaderEdgeTests
{
    private static string Error(byte[] json)
    {
        using var b = new TempBundle();
        File.WriteAllBytes(b.ConfigPath, json);
        return Assert.Throws<RuntimeException>(() => ConfigLoader.Load(b.Dir))!.Message;
    }

    [Test]
    public void InvalidUtf8InAString()
    {
        var json = Encoding.UTF8.GetBytes(TempBundle.Config(extra: "\"hostname\": \"a#b\""));
        json[Array.IndexOf(json, (byte)'#')] = 0xff;
        Assert.That(Error(json), Is.EqualTo("config.json: invalid UTF-8 at line 5, column 17 (byte 0xff)"));
    }

    [Test]
    public void LoneSurrogateEscape() =>
        Assert.That(Error(Encoding.UTF8.GetBytes(TempBundle.Config(extra: "\"hostname\": \"a\\ud800b\""))),
            Is.EqualTo("config.json: hostname: \"a\\ud800b\" is not a valid string (an escape that is not a Unicode character?)"));

    [Test]
    public void NestedTooDeep() =>
        Assert.That(Error(Encoding.UTF8.GetBytes(TempBundle.Config(extra: "\"annotations\": {\"a\": " + new string('[', 100) + new string(']', 100) + "}"))),
            Is.EqualTo("config.json: invalid JSON at line 5, column 86: nested deeper than 64 levels"));

    [Test]
    public void ByteOrderMarkIsRefusedLikeRunc() =>
        Assert.That(Error([0xef, 0xbb, 0xbf, .. Encoding.UTF8.GetBytes(TempBundle.Config())]),
            Is.EqualTo("config.json: invalid JSON at line 1, column 1: the file starts with a byte order mark (JSON must be plain UTF-8)"));
}
