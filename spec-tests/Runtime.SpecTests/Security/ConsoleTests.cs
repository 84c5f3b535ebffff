using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// CVE-2025-52565: with process.terminal the runtime binds the pty's peer onto /dev/console after
/// pivot_root. If the image's /dev/console (no /dev tmpfs in the config) is a symlink, a runtime that
/// creates and mounts by path binds the pty over the link's target, wherever the container pointed
/// it (a file it wants hidden or shadowed, a procfs file). The runtime must mount the TIOCGPTPEER fd
/// onto /dev/console itself or refuse, and never over a link's target.
/// </summary>
[TestFixture]
public class ConsoleTests : SpecTest
{
    // cat only a regular file: reading a pty bound over the target would wait for input.
    private const string Script = "stat -c '%n=%F' /dev/console /etc/console-target; [ -f /etc/console-target ] && [ ! -c /etc/console-target ] && cat /etc/console-target; echo done-$((40+2))";

    /// <summary>A private rootfs without the /dev tmpfs, so the image's /dev is what the runtime works in.</summary>
    private BundleBuilder ImageDev(Action<string> populateDev)
    {
        var b = Bundle(Script).PrivateRootfs().RemoveMount("/dev").Edit(c => c["process"]!["terminal"] = true);
        File.WriteAllText(Path.Combine(b.Rootfs, "etc", "console-target"), "ORIGINAL\n");
        populateDev(Path.Combine(b.Rootfs, "dev"));
        return b;
    }

    /// <summary>create with a console socket; if it succeeds, start and return what the shell printed on the pty.</summary>
    private (RuntimeResult Create, string Output) RunOnConsole(BundleBuilder b)
    {
        using var receiver = new PtyReceiver(Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.sock"));
        var got = receiver.ReceiveAsync();
        var id = H.NewId();
        var r = H.Create(b.Write(), id, "--console-socket", receiver.Path);
        if (r.ExitCode != 0)
        {
            H.AssertNoLeftovers(id);
            return (r, "");
        }
        Assert.That(got.Wait(TimeSpan.FromSeconds(10)), Is.True, "no pty master received");
        AssertOk(H.Start(id));
        var output = receiver.ReadUntil("done-42");
        Assert.That(output, Does.Contain("done-42"), output);
        return (r, output);
    }

    [Test]
    public void AConsoleSymlinkToAContainerFileIsNotMountedOver()
    {
        var b = ImageDev(dev => File.CreateSymbolicLink(Path.Combine(dev, "console"), "/etc/console-target"));
        var (r, output) = RunOnConsole(b);
        if (r.ExitCode != 0)
        {
            AssertFails(r, "/dev/console");
            return;
        }
        Assert.That(output, Does.Contain("/etc/console-target=regular file").And.Contain("ORIGINAL"), output);
        Assert.That(output, Does.Contain("/dev/console=character special file"), output);
    }

    [Test]
    public void AConsoleSymlinkToAHostPathTouchesNothingOnTheHost()
    {
        var host = Path.Combine(H.NewDir("host"), "console");
        File.WriteAllText(host, "HOST\n");
        var b = ImageDev(dev => File.CreateSymbolicLink(Path.Combine(dev, "console"), host));
        var (r, output) = RunOnConsole(b);
        Assert.That(File.ReadAllText(host), Is.EqualTo("HOST\n"));
        Assert.That(Path.Exists(b.Rootfs + host), Is.False, "nothing is created where the link points, even inside the rootfs");
        if (r.ExitCode != 0)
            AssertFails(r, "/dev/console");
        else
            Assert.That(output, Does.Contain("/dev/console=character special file"), output);
    }

    [Test]
    public void TheRefusalNamesTheConsoleAndTheLink()
    {
        var b = ImageDev(dev => File.CreateSymbolicLink(Path.Combine(dev, "console"), "/etc/console-target"));
        var (r, _) = RunOnConsole(b);
        AssertFails(r, "terminal: /dev/console: /dev/console in the rootfs is a symbolic link");
    }

    [Test]
    public void AnImageConsoleFileGetsThePty()
    {
        // The counterpart: a regular /dev/console in the image is the mount target, the pty lands on it.
        var b = ImageDev(dev => File.WriteAllText(Path.Combine(dev, "console"), ""));
        var (r, output) = RunOnConsole(b);
        AssertOk(r);
        Assert.That(output, Does.Contain("/dev/console=character special file").And.Contain("ORIGINAL"), output);
    }
}
