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
    public void EveryFieldRoundTrips()
    {
        var record = new ContainerRecord
        {
            Id = "c1", Bundle = "/b", Rootfs = "/b/rootfs", Pid = 42, PidStartTime = 123456789012UL,
            Created = new DateTimeOffset(2026, 11, 23, 10, 2, 3, 456, TimeSpan.FromHours(2)), Owner = "root",
            Annotations = new() { ["a"] = "1", ["quote\"d"] = "é" },
            Poststart = [new global::Runtime.Spec.Hook { Path = "/bin/true", Args = ["true", "x"], Timeout = 5 }],
            Poststop = [new global::Runtime.Spec.Hook { Path = "/bin/false", Env = ["A=B"] }],
            Cgroup = new global::Runtime.Cgroups.CgroupPaths { V1 = { ["memory"] = "/sys/fs/cgroup/memory/c1", ["cpu,cpuacct"] = "/sys/fs/cgroup/cpu,cpuacct/c1" }, Unified = "/sys/fs/cgroup/unified/c1" },
            PrivatePidNamespace = true, NamespaceTypes = ["pid", "mount"], Started = true, Ready = true, Terminal = true,
            Seccomp = new global::Runtime.Spec.LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Syscalls = [new global::Runtime.Spec.LinuxSyscall { Names = ["getcwd"], Action = "SCMP_ACT_ALLOW" }] },
        };
        var back = ContainerRecordJson.Read(ContainerRecordJson.Write(record));
        Assert.That(ContainerRecordJson.Write(back), Is.EqualTo(ContainerRecordJson.Write(record)), "a second write is byte-identical");
        Assert.That((back.Id, back.Bundle, back.Rootfs, back.Pid, back.PidStartTime, back.Created, back.Owner),
            Is.EqualTo((record.Id, record.Bundle, record.Rootfs, record.Pid, record.PidStartTime, record.Created, record.Owner)));
        Assert.That(back.Annotations, Is.EquivalentTo(record.Annotations));
        Assert.That((back.Poststart![0].Path, back.Poststart[0].Timeout, back.Poststop![0].Env![0]), Is.EqualTo(("/bin/true", (int?)5, "A=B")));
        Assert.That(back.Cgroup!.V1, Is.EquivalentTo(record.Cgroup.V1));
        Assert.That(back.Cgroup.Unified, Is.EqualTo(record.Cgroup.Unified));
        Assert.That((back.PrivatePidNamespace, back.Started, back.Ready, back.Terminal), Is.EqualTo((true, true, true, true)));
        Assert.That(back.Seccomp!.Syscalls![0].Names, Is.EqualTo(new[] { "getcwd" }));
    }

    [Test]
    public void StateOfTheSerializersShapeIsRead()
    {
        // The camelCase shape System.Text.Json wrote before the hand-written reader; unknown fields are skipped.
        var json = """{"id":"c1","bundle":"/b","rootfs":"/r","pid":7,"pidStartTime":9,"created":"2026-11-23T10:00:00+00:00","owner":"root","cgroup":{"v1":{"pids":"/p"},"unified":null},"privatePidNamespace":false,"future":{"x":[1,2]},"started":false,"ready":true,"terminal":false}""";
        var r = ContainerRecordJson.Read(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.That((r.Id, r.Pid, r.PidStartTime, r.Ready, r.Cgroup!.V1["pids"], r.Cgroup.Unified), Is.EqualTo(("c1", 7, 9UL, true, "/p", (string?)null)));
    }

    [TestCase("""{"id":"c1","pid":"seven"}""")]
    [TestCase("""{"id":"c1","annotations":[1]}""")]
    [TestCase("""{"id":"c1",""")]
    [TestCase("""[]""")]
    public void AValueOfTheWrongTypeIsACorruptState(string json)
    {
        var store = new StateStore(_root);
        using (var dir = store.CreateNew("c1"))
            File.WriteAllText(Path.Combine(dir.Path, "state.json"), json);
        using var again = store.Open("c1");
        var e = Assert.Throws<RuntimeException>(() => again.Read())!;
        Assert.That(e.Message, Does.Contain("corrupt state file"));
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
