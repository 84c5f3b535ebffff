using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// CVE-2022-29162: runc gave processes (notably `exec --cap`) non-empty inheritable capabilities
/// the config never asked for. With an inheritable set, an unprivileged user executing a program
/// that carries inheritable file capabilities gains them (P' = P(inh) &amp; F(inh)). The test
/// makes that concrete: a copy of busybox with the file capability cap_net_raw+ei, run as uid 1000
/// with no_new_privs off, must not get CAP_NET_RAW unless process.capabilities.inheritable lists it.
/// ProcessTests.TheDefaultSpecGetsRuncsSets checks CapInh of the default spec.
/// </summary>
[TestFixture]
public class InheritableCapsTests : SpecTest
{
    private const int CapNetRaw = 13;
    private static readonly string[] Bounding = BundleBuilder.DefaultCaps.Append("CAP_NET_RAW").ToArray();

    /// <summary>Prints CapInh of pid 1 and of this process, then CapEff of the file-capable program.</summary>
    private const string Script =
        "echo init-$(grep CapInh /proc/1/status); echo self-$(grep CapInh /proc/self/status); " +
        "echo prog-$(/bin/busybox-caps grep CapEff /proc/self/status)";

    private BundleBuilder WithCapableProgram(string[]? inheritable, string script)
    {
        var b = Bundle(script).PrivateRootfs().User(1000, 1000).NoNewPrivileges(false)
            .Capabilities(Bounding, BundleBuilder.DefaultCaps, BundleBuilder.DefaultCaps, inheritable, null);
        var prog = Path.Combine(b.Rootfs, "bin", "busybox-caps"); // busybox runs argv[1] as the applet for this name
        File.Copy(Path.Combine(b.Rootfs, "bin", "busybox"), prog);
        File.SetUnixFileMode(prog, (UnixFileMode)0x1ed);
        var r = RuntimeBinary.Exec("/usr/sbin/setcap", new[] { "cap_net_raw+ei", prog });
        Assert.That(r.ExitCode, Is.Zero, "setcap: " + r);
        return b;
    }

    private static ulong Field(string output, string prefix)
    {
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                   ?? throw new AssertionException($"no {prefix} line in:\n{output}");
        return Convert.ToUInt64(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries).Last(), 16);
    }

    [Test]
    public void WithoutInheritableCapsAFileCapableProgramGainsNothing()
    {
        var output = Inside(WithCapableProgram(null, Script));
        Assert.Multiple(() =>
        {
            Assert.That(Field(output, "init-CapInh"), Is.Zero, output);
            Assert.That(Field(output, "self-CapInh"), Is.Zero, output);
            Assert.That(Field(output, "prog-CapEff") & (1UL << CapNetRaw), Is.Zero, "the program must not gain CAP_NET_RAW\n" + output);
        });
    }

    [Test]
    public void AnEmptyInheritableListIsTheSame()
    {
        var output = Inside(WithCapableProgram(Array.Empty<string>(), Script));
        Assert.That(Field(output, "self-CapInh"), Is.Zero, output);
        Assert.That(Field(output, "prog-CapEff") & (1UL << CapNetRaw), Is.Zero, output);
    }

    [Test]
    public void AnExecWithCapGetsNoInheritableCaps()
    {
        // runc's 2022 bug was in exec --cap: the added capability also went into the inheritable set.
        var b = WithCapableProgram(null, "sleep 300");
        var id = H.NewId();
        AssertOk(H.Create(b.Write(), id));
        AssertOk(H.Start(id));
        var r = H.Runtime("exec", "--cap", "CAP_NET_RAW", "--user", "1000:1000", id, "sh", "-c", Script);
        AssertOk(r);
        Assert.Multiple(() =>
        {
            Assert.That(Field(r.Stdout, "init-CapInh"), Is.Zero, r.ToString());
            Assert.That(Field(r.Stdout, "self-CapInh"), Is.Zero, r.ToString());
            Assert.That(Field(r.Stdout, "prog-CapEff") & (1UL << CapNetRaw), Is.Zero, r.ToString());
        });
    }

    [Test]
    public void AskedForInheritableCapsTheProgramGetsThem()
    {
        // The counterpart that shows the file capability works here: the config asks for it.
        var output = Inside(WithCapableProgram(new[] { "CAP_NET_RAW" }, Script));
        Assert.That(Field(output, "self-CapInh"), Is.EqualTo(1UL << CapNetRaw), output);
        Assert.That(Field(output, "prog-CapEff") & (1UL << CapNetRaw), Is.Not.Zero, output);
    }
}
