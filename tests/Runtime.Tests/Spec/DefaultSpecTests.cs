using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Runtime.Spec;
using Runtime.Spec.Validation;

namespace Runtime.Tests.SpecTests;

/// <summary>`spec` writes runc's example config, byte for byte apart from the documented differences.</summary>
public class DefaultSpecTests
{
    /// <summary>Runs `runc spec [args]` in a fresh directory and returns config.json.</summary>
    private static string RuncSpec(params string[] args)
    {
        var runc = new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc" }.FirstOrDefault(File.Exists);
        if (runc == null)
            Assert.Ignore("runc is not installed");
        using var dir = new TempBundle(withRootfs: false);
        var psi = new ProcessStartInfo(runc!) { WorkingDirectory = dir.Dir, RedirectStandardError = true };
        psi.ArgumentList.Add("spec");
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        Assert.That(p.WaitForExit(10_000), "runc spec hung");
        Assert.That(p.ExitCode, Is.EqualTo(0), p.StandardError.ReadToEnd());
        return File.ReadAllText(dir.ConfigPath);
    }

    /// <summary>runc 1.1's output with our two documented differences applied: our spec version, and no ambient
    /// capabilities (runc 1.2 dropped them too: without inheritable ones they cannot be raised).</summary>
    private static string AsWeWriteIt(string runc) =>
        Regex.Replace(
            Regex.Replace(runc, "\"ociVersion\": \"[^\"]*\"", $"\"ociVersion\": \"{SpecVersion.Current}\""),
            ",\n\t\t\t\"ambient\": \\[[^\\]]*\\]", "");

    [Test]
    public void MatchesRuncSpec() =>
        Assert.That(Encoding.UTF8.GetString(DefaultSpec.ToJson(DefaultSpec.Create(rootless: false))), Is.EqualTo(AsWeWriteIt(RuncSpec())));

    [Test]
    public void RootlessMatchesRuncSpecRootless()
    {
        var (uid, gid) = DefaultSpec.EffectiveIds();
        Assert.That(Encoding.UTF8.GetString(DefaultSpec.ToJson(DefaultSpec.Create(rootless: true, uid, gid))),
            Is.EqualTo(AsWeWriteIt(RuncSpec("--rootless"))));
    }

    [Test]
    public void RootlessMapsRootToTheGivenIds()
    {
        var linux = DefaultSpec.Create(rootless: true, 1000, 1001).Linux!;
        Assert.That(linux.UidMappings!.Single().HostId, Is.EqualTo(1000));
        Assert.That(linux.GidMappings!.Single().HostId, Is.EqualTo(1001));
        Assert.That(linux.Namespaces!.Select(n => n.Type), Is.EqualTo(new[] { "pid", "ipc", "uts", "mount", "user" }));
        Assert.That(linux.Resources, Is.Null);
    }

    [Test]
    public void PureCgroupV2HostsGetACgroupNamespaceLikeRunc12() =>
        Assert.That(DefaultSpec.Create(false, cgroup2Unified: true).Linux!.Namespaces!.Last().Type, Is.EqualTo("cgroup"));

    [TestCase(false)]
    [TestCase(true)]
    public void WrittenConfigLoadsValidatesAndRoundTrips(bool rootless)
    {
        using var b = new TempBundle();
        var written = DefaultSpec.WriteDefault(b.Dir, rootless);
        Assert.That(written, Is.EqualTo(b.ConfigPath));
        var loaded = ConfigLoader.Load(b.Dir);
        Assert.That(loaded.Warnings, Is.Empty);
        Assert.That(DefaultSpec.ToJson(loaded.Spec), Is.EqualTo(loaded.ConfigBytes), "parse + serialize gives back the same bytes");
        Assert.That(loaded.ConfigBytes[^1], Is.EqualTo((byte)'}'), "no trailing newline, like runc");
    }

    [Test]
    public void RefusesToOverwriteWithRuncsWords()
    {
        using var b = new TempBundle();
        File.WriteAllText(b.ConfigPath, "mine");
        var e = Assert.Throws<RuntimeException>(() => DefaultSpec.WriteDefault(b.Dir, rootless: false))!;
        Assert.That(e.Message, Is.EqualTo("File config.json exists. Remove it first"));
        Assert.That(File.ReadAllText(b.ConfigPath), Is.EqualTo("mine"));
    }

    [Test]
    public void RefusesADanglingSymlinkInsteadOfWritingThroughIt()
    {
        using var b = new TempBundle();
        var target = Path.Combine(b.Dir, "elsewhere");
        File.CreateSymbolicLink(b.ConfigPath, target);
        var e = Assert.Throws<RuntimeException>(() => DefaultSpec.WriteDefault(b.Dir, rootless: false))!;
        Assert.That(e.Message, Is.EqualTo("File config.json exists. Remove it first"));
        Assert.That(File.Exists(target), Is.False);
    }

    [Test]
    public void MissingBundleDirectory()
    {
        var dir = "/nonexistent-" + Guid.NewGuid().ToString("N");
        Assert.That(Assert.Throws<RuntimeException>(() => DefaultSpec.WriteDefault(dir, false))!.Message, Is.EqualTo($"bundle {dir} does not exist"));
    }

    [Test]
    public void DefaultsAreValidWithoutTheBundle() =>
        Assert.That(SpecValidator.Check(DefaultSpec.Create(false)).Problems, Is.Empty);
}
