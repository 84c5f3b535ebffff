using Runtime.Testing;

namespace Runtime.SpecTests;

/// <summary>runtime.md "Delete": only stopped containers, unless --force, which kills and waits.</summary>
[TestFixture]
public class DeleteTests : SpecTest
{
    private string Running(string script = "sleep 30")
    {
        var id = H.NewId();
        H.CreateOk(Bundle(script).Write(), id);
        AssertOk(H.Start(id));
        return id;
    }

    [Test]
    public void DeleteOfAStoppedContainerRemovesEverything()
    {
        var id = Running("true");
        H.WaitForStatus(id, "stopped");
        AssertOk(H.Delete(id));
        AssertFails(H.Runtime("state", id), "container does not exist");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void DeleteOfARunningContainerWithoutForceFails()
    {
        var id = Running();
        AssertFails(H.Delete(id), "not stopped");
        Assert.That(H.Status(id), Is.EqualTo("running"));
    }

    [Test]
    public void DeleteOfACreatedContainerWithoutForceFails()
    {
        // runtime.md: "Attempting to delete a container that is not stopped MUST have no effect on the container and MUST generate an error."
        var id = H.NewId();
        H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertFails(H.Delete(id), "not stopped");
        Assert.That(H.Status(id), Is.EqualTo("created"));
    }

    [TestCase("--force")]
    [TestCase("-f")]
    public void ForceKillsARunningContainerAndWaitsForIt(string flag)
    {
        var id = Running();
        int pid = H.Pid(id);
        AssertOk(H.Runtime("delete", flag, id));
        Assert.That(Native.IsAlive(pid), Is.False, "delete --force returns after the init is dead");
        AssertFails(H.Runtime("state", id), "container does not exist");
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ForceDeletesACreatedContainer()
    {
        var id = H.NewId();
        int pid = H.CreateOk(Bundle("sleep 30").Write(), id);
        AssertOk(H.Delete(id, force: true));
        Assert.That(Native.IsAlive(pid), Is.False);
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ForceKillsEveryProcessInTheContainersPidNamespace()
    {
        var id = Running("sleep 1000 & sleep 1001 & echo started; wait");
        H.WaitForOutput(id, "started");
        AssertOk(H.Delete(id, force: true));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ForceKillsEveryProcessOfAContainerWithoutAPidNamespace()
    {
        var b = Bundle("sleep 1000 & echo started; wait").WithoutNamespace("pid");
        var id = H.NewId();
        H.CreateOk(b.Write(), id);
        AssertOk(H.Start(id));
        H.WaitForOutput(id, "started");
        AssertOk(H.Delete(id, force: true));
        H.AssertNoLeftovers(id);
    }

    [Test]
    public void ForceOfAContainerThatIsAlreadyGoneSucceeds()
    {
        // containerd deletes with --force after the container is gone: exit 0.
        var r = H.Delete(H.NewId(), force: true);
        AssertOk(r);
    }

    [Test]
    public void DeleteOfAnUnknownContainerFails()
    {
        AssertFails(H.Delete(H.NewId()), "container does not exist");
    }

    [Test]
    public void ASecondDeleteFails()
    {
        var id = Running("true");
        H.WaitForStatus(id, "stopped");
        AssertOk(H.Delete(id));
        AssertFails(H.Delete(id), "container does not exist");
    }
}
