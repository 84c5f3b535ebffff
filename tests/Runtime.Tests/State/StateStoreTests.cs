using NUnit.Framework;
using Runtime.State;

namespace Runtime.Tests.State;

public class StateStoreTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Path.Combine(Path.GetTempPath(), "runtime-state-test-" + Guid.NewGuid().ToString("N"), "nested", "root");

    [TearDown]
    public void TearDown()
    {
        var top = Path.GetDirectoryName(Path.GetDirectoryName(_root))!;
        if (Directory.Exists(top)) Directory.Delete(top, true);
    }

    [TestCase("../x")]
    [TestCase("a/b")]
    [TestCase("")]
    [TestCase(".")]
    [TestCase("..")]
    [TestCase("-leading-dash-is-fine-but-space-is-not x")]
    [TestCase(".hidden")]
    [TestCase("nul\0byte")]
    public void InvalidIdsAreRejectedAndNothingIsCreated(string id)
    {
        var store = new StateStore(_root);
        var e = Assert.Throws<RuntimeException>(() => store.CreateNew(id))!;
        Assert.That(e.Message, id.Length == 0 ? Is.EqualTo("container id cannot be empty") : Does.StartWith("invalid container ID"));
        Assert.That(Directory.Exists(_root), Is.False, "a rejected ID must not even create the root");
    }

    [Test]
    public void OverlongIdsAreRejected()
    {
        Assert.Throws<RuntimeException>(() => ContainerId.Validate(new string('a', 1025)));
        Assert.DoesNotThrow(() => ContainerId.Validate(new string('a', 1024)));
    }

    [TestCase("abc")]
    [TestCase("a.b-c_d+e")]
    [TestCase("0123456789abcdef")]
    [TestCase("-x")]
    public void ValidIdsAreAccepted(string id) => Assert.DoesNotThrow(() => ContainerId.Validate(id));

    [Test]
    public void RootAndContainerDirectoriesAre0700()
    {
        using (new StateStore(_root).CreateNew("c1")) { }
        foreach (var dir in new[] { _root, Path.GetDirectoryName(_root)!, Path.Combine(_root, "c1") })
            Assert.That(File.GetUnixFileMode(dir), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), dir);
    }

    [Test]
    public void DuplicateIdUsesRuncWording()
    {
        var store = new StateStore(_root);
        using (store.CreateNew("dup")) { }
        var e = Assert.Throws<RuntimeException>(() => store.CreateNew("dup"))!;
        Assert.That(e.Message, Is.EqualTo("container with given ID already exists"));
    }

    [Test]
    public void MissingContainerUsesRuncWording()
    {
        var e = Assert.Throws<RuntimeException>(() => new StateStore(_root).Open("nope"))!;
        Assert.That(e.Message, Is.EqualTo("container does not exist"));
    }

    [Test]
    public void WriteIsAtomicAndRoundTrips()
    {
        var store = new StateStore(_root);
        using var dir = store.CreateNew("c1");
        dir.Write(new ContainerRecord { Id = "c1", Pid = 42, Bundle = "/b", Annotations = new() { ["k"] = "v" } });
        var back = dir.Read();
        Assert.That((back.Id, back.Pid, back.Bundle, back.Annotations!["k"]), Is.EqualTo(("c1", 42, "/b", "v")));
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "state.json" }), "no temp file left behind");
    }

    [Test]
    public void CorruptStateIsAClearError()
    {
        var store = new StateStore(_root);
        using (var dir = store.CreateNew("c1"))
            File.WriteAllText(Path.Combine(dir.Path, "state.json"), "{not json");
        using var again = store.Open("c1");
        var e = Assert.Throws<RuntimeException>(() => again.Read())!;
        Assert.That(e.Message, Does.Contain("corrupt state file").And.Contain("c1"));
    }

    [Test]
    public void ConcurrentWritersOnOneIdSerialiseThroughTheLock()
    {
        var store = new StateStore(_root);
        using (var d = store.CreateNew("c1")) d.Write(new ContainerRecord { Id = "c1", Pid = 0 });
        // Each writer holds the lock while it reads, increments and writes: no update may be lost.
        const int writers = 8, rounds = 25;
        var threads = Enumerable.Range(0, writers).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                using var dir = store.Open("c1");
                var r = dir.Read();
                r.Pid++;
                dir.Write(r);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        using var final = store.Open("c1");
        Assert.That(final.Read().Pid, Is.EqualTo(writers * rounds));
    }

    [Test]
    public void ReadersNeverSeeAPartialFile()
    {
        var store = new StateStore(_root);
        using (var d = store.CreateNew("c1")) d.Write(new ContainerRecord { Id = "c1" });
        var path = Path.Combine(_root, "c1", "state.json");
        var big = new ContainerRecord { Id = "c1", Annotations = Enumerable.Range(0, 2000).ToDictionary(i => "k" + i, i => new string('x', 50)) };
        var stop = false;
        var writer = new Thread(() => { while (!Volatile.Read(ref stop)) { using var d = store.Open("c1"); d.Write(big); } });
        writer.Start();
        try
        {
            for (int i = 0; i < 300; i++)
            {
                var text = File.ReadAllText(path); // no lock: atomic rename alone must make this whole
                Assert.That(text, Does.StartWith("{").And.EndWith("}"));
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            writer.Join();
        }
    }

    [Test]
    public void ListIsSortedAndEmptyWithoutRoot()
    {
        var store = new StateStore(_root);
        Assert.That(store.ListIds(), Is.Empty);
        foreach (var id in new[] { "b", "a", "c" })
            using (store.CreateNew(id)) { }
        Assert.That(store.ListIds(), Is.EqualTo(new[] { "a", "b", "c" }));
    }
}
