using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// The runtime's processes hold host fds (the host's procfs, the exec fifo, the state directory, the
/// init socket) while a container can see them: the waiting init is pid 1 of the container, and a
/// container without a pid namespace sees the `runtime run` that started it. A process there with
/// the same uid and no CAP_SYS_PTRACE (a container's root) may open /proc/PID/fd/N, /proc/PID/root and
/// /proc/PID/environ of a dumpable process: a host fd reached that way is an escape (the
/// CVE-2016-9962 family). Runtime processes stay non-dumpable until execve of the container's
/// program; the probes also run against a dumpable process to show they can succeed.
/// BootstrapMessageTests.TheStageIsNotDumpableWhileItHoldsTheInitSocket covers the C stage.
/// </summary>
[TestFixture]
public class NonDumpableTests : SpecTest
{
    /// <summary>Tries PID's fds, root and environ; then the same on a dumpable sibling (a sleep).</summary>
    private static string Probe(string pid) =>
        $"p={pid}; for f in /proc/$p/fd/*; do readlink $f >/dev/null 2>&1 && echo OPENED-$f; done; " +
        "ls /proc/$p/root/ >/dev/null 2>&1 && echo OPENED-root; cat /proc/$p/environ >/dev/null 2>&1 && echo OPENED-environ; " +
        "sleep 30 & s=$!; readlink /proc/$s/fd/1 >/dev/null && echo control-ok; kill $s; echo probed";

    [Test]
    public void TheWaitingInitIsNotDumpable()
    {
        // The container is created, not started: its pid 1 is the runtime's init waiting on the fifo.
        var id = H.NewId();
        AssertOk(H.Create(Bundle("sleep 30").Write(), id));
        var r = H.Runtime("exec", id, "sh", "-c", Probe("1"));
        AssertOk(r);
        Assert.That(r.Stdout, Does.Contain("control-ok").And.Contain("probed"), r.ToString());
        Assert.That(r.Stdout, Does.Not.Contain("OPENED"), "the waiting init's fds, root or environ were reachable\n" + r);
        Assert.That(H.Status(id), Is.EqualTo("created"), "pid 1 was still the runtime's init");
    }

    [Test]
    public void TheForegroundRuntimeIsNotDumpableToAContainerInTheHostPidNamespace()
    {
        // Without a pid namespace the container's program is the child of `runtime run`, which
        // holds its state directory, the init socket and the caller's stdio: its parent.
        var b = Bundle(Probe("$PPID") + "; echo parent=$(cat /proc/$PPID/comm)").WithoutNamespace("pid");
        var output = Inside(b);
        Assert.That(output, Does.Contain("control-ok").And.Contain("probed").And.Contain("parent=" + Path.GetFileName(RuntimeBinary.Path)), output);
        Assert.That(output, Does.Not.Contain("OPENED"), "the runtime's fds, root or environ were reachable\n" + output);
    }
}
