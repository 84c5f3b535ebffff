using NUnit.Framework;
using Runtime.Seccomp;
using static Runtime.Tests.Seccomp.Profiles;

namespace Runtime.Tests.Seccomp;

/// <summary>The on-disk cache of compiled filters: hits return what was stored, anything
/// untrustworthy or unreadable is recompiled.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SeccompCacheTests
{
    private string _dir = null!;
    private string Cache => Path.Combine(_dir, "seccomp");

    private const string Getcwd100 = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO","errnoRet":100}]}""";
    private const string Getcwd101 = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO","errnoRet":101}]}""";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("seccomp-cache-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string[] Entries() => Directory.Exists(Cache) ? Directory.GetFiles(Cache) : Array.Empty<string>();

    [Test]
    public void AMissCompilesAndStoresAHitReadsTheStoredFilter()
    {
        var first = SeccompCache.GetOrCompile(Parse(Getcwd100), Cache)!;
        Assert.That(BpfInterpreter.Run(first, Getcwd), Is.EqualTo(Errno | 100));
        var stored = Entries();
        Assert.That(stored, Has.Length.EqualTo(1));
        Assert.That(stored[0], Does.EndWith(".bpf"));
        Assert.That(File.GetUnixFileMode(Cache), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));

        // Plant another valid filter under the same key: a hit must return exactly what is stored.
        File.WriteAllBytes(stored[0], SeccompCompiler.Compile(Parse(Getcwd101))!.Serialize());
        var second = SeccompCache.GetOrCompile(Parse(Getcwd100), Cache)!;
        Assert.That(BpfInterpreter.Run(second, Getcwd), Is.EqualTo(Errno | 101), "read from the cache, not compiled");
    }

    [Test]
    public void TheKeyIsTheProfile()
    {
        Assert.That(SeccompCache.Key(Parse(Getcwd100)), Is.EqualTo(SeccompCache.Key(Parse(Getcwd100))));
        Assert.That(SeccompCache.Key(Parse(Getcwd100)), Is.Not.EqualTo(SeccompCache.Key(Parse(Getcwd101))));
        SeccompCache.GetOrCompile(Parse(Getcwd100), Cache);
        SeccompCache.GetOrCompile(Parse(Getcwd101), Cache);
        Assert.That(Entries(), Has.Length.EqualTo(2));
    }

    [Test]
    public void ACorruptEntryIsRecompiledAndReplaced()
    {
        SeccompCache.GetOrCompile(Parse(Getcwd100), Cache);
        var entry = Entries().Single();
        File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..20]);
        var f = SeccompCache.GetOrCompile(Parse(Getcwd100), Cache)!;
        Assert.That(BpfInterpreter.Run(f, Getcwd), Is.EqualTo(Errno | 100));
        Assert.DoesNotThrow(() => CompiledFilter.Deserialize(File.ReadAllBytes(entry)), "rewritten whole");
    }

    [Test]
    public void EntriesOthersCouldHaveWrittenAreNotTrusted()
    {
        SeccompCache.GetOrCompile(Parse(Getcwd100), Cache);
        var entry = Entries().Single();
        File.WriteAllBytes(entry, SeccompCompiler.Compile(Parse(Getcwd101))!.Serialize());
        File.SetUnixFileMode(Cache, (UnixFileMode)0x1ff /* 0777 */);
        var f = SeccompCache.GetOrCompile(Parse(Getcwd100), Cache)!;
        Assert.That(BpfInterpreter.Run(f, Getcwd), Is.EqualTo(Errno | 100), "the planted filter was ignored");
    }

    [Test]
    public void NoProfileNoEntry()
    {
        Assert.That(SeccompCache.GetOrCompile(null, Cache), Is.Null);
        Assert.That(SeccompCache.GetOrCompile(Parse("{}"), Cache), Is.Null);
        Assert.That(Entries(), Is.Empty);
    }

    [Test]
    public void TheCacheStaysSmall()
    {
        for (int errno = 1; errno <= 70; errno++)
            SeccompCache.GetOrCompile(Parse($$"""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO","errnoRet":{{errno}}}]}"""), Cache);
        Assert.That(Entries(), Has.Length.EqualTo(64));
    }

    [Test]
    public void AnUnwritableCacheOnlyCostsTheCompile()
    {
        File.WriteAllText(Cache, "not a directory");
        var f = SeccompCache.GetOrCompile(Parse(Getcwd100), Cache)!;
        Assert.That(BpfInterpreter.Run(f, Getcwd), Is.EqualTo(Errno | 100));
    }
}
