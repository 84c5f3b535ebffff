using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>process.terminal: the console socket (containerd's and conmon's way) and the foreground
/// tty proxy (a person at a shell).</summary>
public class TerminalTests : SpecTest
{
    [Test]
    public void TheConsoleSocketGetsAPtyMasterThatDrivesTheShell()
    {
        var b = Bundle().Args("sh").Edit(c =>
        {
            c["process"]!["terminal"] = true;
            c["process"]!["consoleSize"] = System.Text.Json.Nodes.JsonNode.Parse("""{"height": 33, "width": 77}""");
        });
        using var receiver = new PtyReceiver(Path.Combine(Path.GetTempPath(), $"cs-{Guid.NewGuid():N}.sock"));
        var got = receiver.ReceiveAsync();
        var id = H.NewId();
        AssertOk(H.Create(b.Write(), id, "--console-socket", receiver.Path));
        Assert.That(got.Wait(TimeSpan.FromSeconds(10)), Is.True, "no fd received");
        Assert.That(receiver.IsPtyMaster(), Is.True, "the fd must be a pty master");
        Assert.That(receiver.Name, Does.StartWith("/dev/pts/"));
        AssertOk(H.Start(id));
        // The terminal echoes what we type: wait for a marker only the shell's output can contain.
        receiver.Write("echo tty=$(tty) size=$(stty size) done-$((40+2))\n");
        var output = receiver.ReadUntil("done-42");
        Assert.That(output, Does.Contain("tty=/dev/pts/0").And.Contain("size=33 77"), output);
        receiver.Write("exit 4\n");
        for (int i = 0; i < 100 && (string?)H.State(id)["status"] != "stopped"; i++) Thread.Sleep(50);
        Assert.That((string?)H.State(id)["status"], Is.EqualTo("stopped"));
    }

    [Test]
    public void ATerminalWithoutConsoleSocketInCreateIsRuncsError()
    {
        var b = Bundle().Edit(c => c["process"]!["terminal"] = true);
        AssertFails(H.Create(b.Write(), H.NewId()), "cannot allocate tty if runtime will detach without setting console socket");
    }

    [Test]
    public void AnInteractiveRunProxiesOurTerminal()
    {
        // A person at a shell: `runtime run` under script(1), typing into the container's shell.
        var b = Bundle().Args("sh").Edit(c => c["process"]!["terminal"] = true);
        var cmd = $"{RuntimeBinary.Path} --root {H.StateRoot} run --bundle {b.Write()} {H.NewId()}";
        var r = RuntimeBinary.Exec("script", new[] { "-qec", cmd, "/dev/null" },
            stdin: "echo typed-$((6*7)); tty; exit 5\n", timeout: TimeSpan.FromSeconds(30));
        Assert.That(r.Stdout, Does.Contain("typed-42"), r.ToString());
        Assert.That(r.Stdout, Does.Contain("/dev/pts/0"));
        Assert.That(r.ExitCode, Is.EqualTo(5), "run exits with the shell's status");
    }
}
