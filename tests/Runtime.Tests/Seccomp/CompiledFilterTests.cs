using System.Buffers.Binary;
using NUnit.Framework;
using Runtime.Seccomp;
using static Runtime.Tests.Seccomp.Profiles;

namespace Runtime.Tests.Seccomp;

/// <summary>The compiled filter crosses the init socket as bytes: round trip, and every malformed
/// buffer refused before it could reach seccomp(2).</summary>
public class CompiledFilterTests
{
    private static CompiledFilter Sample() => SeccompCompiler.Compile(Parse("""
        {"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/agent.sock","flags":["SECCOMP_FILTER_FLAG_LOG"],
         "syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
                     {"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}
        """))!;

    [Test]
    public void SerializeThenDeserializeGivesTheSameFilter()
    {
        var f = Sample();
        var copy = CompiledFilter.Deserialize(f.Serialize());
        Assert.That(copy.Program, Is.EqualTo(f.Program));
        Assert.That(copy.Flags, Is.EqualTo(f.Flags).And.EqualTo(2u | 8u));
        Assert.That(copy.NeedsListener);
        Assert.That(BpfInterpreter.Run(copy, Read), Is.EqualTo(Allow));
        Assert.That(BpfInterpreter.Run(copy, Mkdir), Is.EqualTo(Notify));
    }

    [Test]
    public void EveryTruncationIsRefused()
    {
        var bytes = Sample().Serialize();
        for (int len = 0; len < bytes.Length; len++)
            Assert.Throws<RuntimeException>(() => CompiledFilter.Deserialize(bytes.AsSpan(0, len)), $"{len} of {bytes.Length} bytes");
    }

    [Test]
    public void TrailingBytesAreRefused()
    {
        var bytes = Sample().Serialize();
        var longer = bytes.Concat(new byte[8]).ToArray();
        Assert.That(Assert.Throws<RuntimeException>(() => CompiledFilter.Deserialize(longer))!.Message, Does.Contain("expected"));
    }

    [Test]
    public void ACountAboveTheKernelLimitIsRefused()
    {
        var bytes = new byte[12 + 4097 * 8];
        "RSC1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 4097);
        Assert.That(Assert.Throws<RuntimeException>(() => CompiledFilter.Deserialize(bytes))!.Message, Does.Contain("4097 instructions"));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 0);
        Assert.That(Assert.Throws<RuntimeException>(() => CompiledFilter.Deserialize(bytes.AsSpan(0, 12)))!.Message, Does.Contain("0 instructions"));
    }

    [TestCase(0, (byte)'X', "bad magic")]
    [TestCase(4, (byte)0x40, "unknown filter flags 0x40")]
    [TestCase(4, (byte)0x01, "unknown filter flags 0x1")] // TSYNC never travels: the loader must not sync threads
    [TestCase(10, (byte)1, "reserved header bytes")]
    public void ACorruptHeaderIsRefused(int offset, byte value, string message)
    {
        var bytes = Sample().Serialize();
        bytes[offset] = value;
        Assert.That(Assert.Throws<RuntimeException>(() => CompiledFilter.Deserialize(bytes))!.Message, Does.Contain(message));
    }
}
