using Runtime.Testing;

namespace Runtime.SpecTests.Security;

/// <summary>
/// Container IDs name directories under the state root, so an ID that is a path ("../x", "a/b",
/// "..") would let create, delete --force or kill reach outside it (delete removes a directory
/// tree). Every command refuses such IDs with runc's wording before touching the filesystem, and
/// nothing appears or disappears next to the state root. LifecycleTests.CreateRejectsAnInvalidId and
/// StateStoreTests cover the validator itself.
/// </summary>
[TestFixture]
public class ContainerIdTests : SpecTest
{
    private static readonly string[] Hostile =
    {
        "../x", "..", ".", "a/b", "../victim", "../../victim", "/abs", "x/../../victim", "./x", "a\nb", "with space", "tab\tid",
        "victim/..", "a\\b", new string('a', 1025),
    };

    private static IEnumerable<string[]> Commands()
    {
        yield return new[] { "state" };
        yield return new[] { "delete" };
        yield return new[] { "delete", "--force" };
        yield return new[] { "kill" };
        yield return new[] { "start" };
        yield return new[] { "pause" };
        yield return new[] { "resume" };
        yield return new[] { "ps" };
        yield return new[] { "events", "--stats" };
        yield return new[] { "exec" }; // + the id + a command
        yield return new[] { "update", "--memory", "1M" };
    }

    /// <summary>The state root's parent, with a directory named like the traversal targets, in
    /// the shape of a container directory (so a runtime that loads it would act on it).</summary>
    private (string Victim, string[] Before) Setup()
    {
        var victim = H.NewDir("victim");
        File.WriteAllText(Path.Combine(victim, "state.json"), "{\"id\":\"victim\"}");
        Directory.CreateDirectory(H.StateRoot);
        return (victim, OutsideTheRootfs.Tree(H.Dir).Where(e => !e.StartsWith("io/", StringComparison.Ordinal)).ToArray());
    }

    private void AssertUntouched(string victim, string[] before)
    {
        Assert.That(OutsideTheRootfs.Tree(H.Dir).Where(e => !e.StartsWith("io/", StringComparison.Ordinal)), Is.EqualTo(before),
            "something next to the state root changed");
        Assert.That(File.ReadAllText(Path.Combine(victim, "state.json")), Is.EqualTo("{\"id\":\"victim\"}"));
        Assert.That(Directory.GetFileSystemEntries(H.StateRoot), Is.Empty, "nothing is created in the state root");
    }

    private static void AssertInvalidId(RuntimeResult r, string id, int status = 1)
    {
        Assert.That(r.ExitCode, Is.EqualTo(status), r.ToString());
        // runc: "invalid container ID format" (the length bound is ours: runc fails in lstat with ENAMETOOLONG).
        Assert.That(r.Stderr, Does.Contain(id.Length > 1024 ? "invalid container ID: longer than 1024 characters" : "invalid container ID format"), r.ToString());
    }

    [Test]
    public void CreateRefusesEveryPathLikeId()
    {
        var bundle = Bundle().Write();
        var (victim, before) = Setup();
        foreach (var id in Hostile)
            AssertInvalidId(H.Runtime("create", "--bundle", bundle, id), id);
        AssertUntouched(victim, before);
    }

    [Test]
    public void RunRefusesAPathLikeId()
    {
        var bundle = Bundle().Write();
        var (victim, before) = Setup();
        AssertInvalidId(H.Runtime("run", "--bundle", bundle, "../victim"), "../victim");
        AssertUntouched(victim, before);
    }

    [TestCaseSource(nameof(Commands))]
    public void EveryCommandRefusesATraversingId(string[] command)
    {
        var (victim, before) = Setup();
        foreach (var id in new[] { "../victim", "..", "a/b", "x/../../victim" })
        {
            var args = command.Append(id).Concat(command[0] == "exec" ? new[] { "true" } : Array.Empty<string>()).ToArray();
            // exec fails with 255, as runc's (its own status is the process's).
            AssertInvalidId(H.Runtime(new RuntimeCall { Timeout = TimeSpan.FromSeconds(10) }, args), id, command[0] == "exec" ? 255 : 1);
        }
        AssertUntouched(victim, before);
    }

    [Test]
    public void AnEmptyIdHasRuncsWording()
    {
        var (victim, before) = Setup();
        foreach (var args in new[] { new[] { "state", "" }, new[] { "delete", "--force", "" }, new[] { "create", "--bundle", H.Dir, "" } })
        {
            var r = H.Runtime(args);
            Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
            Assert.That(r.Stderr, Does.Contain("container id cannot be empty"), r.ToString());
        }
        AssertUntouched(victim, before);
    }
}
