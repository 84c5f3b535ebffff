using System.Text.Json.Nodes;
using NUnit.Framework;
using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>`exec`: one more process in a running container, with runc 1.1's flags.</summary>
public class ExecTests : SpecTest
{
    /// <summary>A running container whose init sleeps; returns its ID.</summary>
    private string Running(Func<BundleBuilder, BundleBuilder>? tweak = null)
    {
        var b = Bundle("sleep 300");
        if (tweak != null) b = tweak(b);
        var id = H.NewId();
        AssertOk(H.Create(b.Write(), id));
        AssertOk(H.Start(id));
        return id;
    }

    [Test]
    public void ItJoinsEveryNamespaceOfTheInit()
    {
        var id = Running();
        var pid = (int)H.State(id)["pid"]!;
        var r = H.Runtime("exec", id, "sh", "-c", "for n in pid net mnt uts ipc cgroup; do readlink /proc/self/ns/$n; done");
        AssertOk(r);
        var expected = new[] { "pid", "net", "mnt", "uts", "ipc", "cgroup" }.Select(n => Native.Namespace(pid, n));
        Assert.That(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(expected));
    }

    [Test]
    public void ItsExitCodeIsTheProcesssOwn()
    {
        var id = Running();
        Assert.That(H.Runtime("exec", id, "sh", "-c", "exit 7").ExitCode, Is.EqualTo(7));
        Assert.That(H.Runtime("exec", id, "sh", "-c", "kill -9 $$").ExitCode, Is.EqualTo(137), "128+signal when killed");
    }

    [Test]
    public void EnvCwdUserAndGroups()
    {
        var id = Running();
        var r = H.Runtime("exec", "--env", "GREETING=hi", "-e", "OTHER=x", "--cwd", "/tmp", "--user", "1000:1001",
            "--additional-gids", "2000", id, "sh", "-c", "echo $GREETING $OTHER; pwd; id -u; id -g; id -G");
        AssertOk(r);
        Assert.That(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "hi x", "/tmp", "1000", "1001", "1001 2000" }));
    }

    [Test]
    public void CapAddsACapability()
    {
        var id = Running();
        var r = H.Runtime("exec", "--cap", "CAP_SYS_ADMIN", id, "grep", "CapEff", "/proc/self/status");
        AssertOk(r);
        Assert.That(Convert.ToUInt64(r.Stdout.Split('\t')[1].Trim(), 16) & (1UL << 21), Is.Not.Zero);
    }

    [Test]
    public void DetachReturnsAndWritesThePidFile()
    {
        var id = Running();
        var pidFile = Path.Combine(H.Dir, "exec.pid");
        AssertOk(H.Runtime("exec", "-d", "--pid-file", pidFile, id, "sleep", "300"));
        var pid = int.Parse(File.ReadAllText(pidFile));
        Assert.That(Native.IsAlive(pid), Is.True);
        Assert.That(Native.Namespace(pid, "pid"), Is.EqualTo(Native.Namespace((int)H.State(id)["pid"]!, "pid")));
    }

    [Test]
    public void AProcessFileAsContainerdSendsIt()
    {
        var id = Running();
        var file = Path.Combine(H.Dir, "process.json");
        File.WriteAllText(file, """{"args": ["sh", "-c", "echo from-process-file $FOO; pwd"], "env": ["FOO=bar", "PATH=/bin"], "cwd": "/etc", "user": {"uid": 0, "gid": 0}}""");
        var r = H.Runtime("exec", "--process", file, id);
        AssertOk(r);
        Assert.That(r.Stdout, Does.Contain("from-process-file bar").And.Contain("/etc"));
        var both = H.Runtime("exec", "--process", file, id, "true");
        Assert.That(both.ExitCode, Is.EqualTo(255), both.ToString()); // runc's exit code for exec failures
        Assert.That(both.Stderr, Does.Contain("mutually exclusive"));
    }

    [Test]
    public void PreservedFdsReachTheProcessAndNothingElseDoes()
    {
        var id = Running();
        var r = H.Runtime(new RuntimeCall { ExtraFds = new Dictionary<int, string> { [3] = "/etc/hostname", [4] = "/etc/hostname" } },
            "exec", "--preserve-fds", "1", id, "sh", "-c", "cat <&3; for f in 4 5 6 7 8 9; do [ -e /proc/$$/fd/$f ] && echo leaked-$f; done; echo end");
        AssertOk(r);
        Assert.That(r.Stdout, Does.Not.Contain("leaked-4"), "fd 4 was not preserved");
        Assert.That(r.Stdout, Does.Contain("end"));
    }

    [Test]
    public void AStoppedOrMissingContainerIsRefused()
    {
        var id = H.NewId();
        AssertOk(H.Run(Bundle("true").Write(), id, "--keep"));
        Assert.That(H.Runtime("exec", id, "true").Stderr, Does.Contain("cannot exec in a stopped container"));
        Assert.That(H.Runtime("exec", "no-such-container", "true").Stderr, Does.Contain("container does not exist"));
    }

    [Test]
    public void SignalsReachTheForegroundProcess()
    {
        var id = Running();
        var exec = H.StartInBackground(new RuntimeCall(), "exec", id, "sh", "-c", "trap 'echo got-term; exit 3' TERM; echo ready; while true; do sleep 0.1; done");
        exec.WaitForOutput("ready");
        exec.Signal(15);
        Assert.That(exec.WaitForExit(), Is.EqualTo(3));
        Assert.That(exec.Stdout, Does.Contain("got-term"));
    }

    [Test]
    public void ExecRacingDeleteNeverHangsOrLeaks()
    {
        // runc#1812, #4437: exec while the container is being deleted must end, with a clear result, every time.
        for (int i = 0; i < 100; i++)
        {
            var id = Running();
            var exec = H.StartInBackground(new RuntimeCall(), "exec", id, "sleep", "300");
            var delete = H.Runtime("delete", "--force", id);
            AssertOk(delete);
            int code = exec.WaitForExit(20);
            Assert.That(code, Is.Not.EqualTo(0), $"iteration {i}: the exec'd sleep cannot have finished normally");
        }
    }
}
