using NUnit.Framework;
using Runtime.Cgroups;

namespace Runtime.Tests.Cgroups;

public class ConversionsTests
{
    // Values from runc's formula (libcontainer/cgroups ConvertCPUSharesToCgroupV2Value): the curve goes through
    // (2, 1), (1024, 100) and (262144, 10000).
    [TestCase(0UL, 0UL)]
    [TestCase(1UL, 1UL)]
    [TestCase(2UL, 1UL)]
    [TestCase(3UL, 2UL)]
    [TestCase(100UL, 17UL)]
    [TestCase(512UL, 59UL)]
    [TestCase(1024UL, 100UL)]
    [TestCase(2048UL, 174UL)]
    [TestCase(10000UL, 627UL)]
    [TestCase(262144UL, 10000UL)]
    [TestCase(1000000UL, 10000UL)]
    public void CpuSharesToWeight(ulong shares, ulong weight) =>
        Assert.That(Conversions.CpuSharesToWeight(shares), Is.EqualTo(weight));

    [TestCase((ushort)10, 1UL)]
    [TestCase((ushort)500, 4950UL)]
    [TestCase((ushort)1000, 10000UL)]
    public void BlkioWeightToIoWeight(ushort blkio, ulong io) =>
        Assert.That(Conversions.BlkioWeightToIoWeight(blkio, "f"), Is.EqualTo(io));

    [TestCase((ushort)5)]
    [TestCase((ushort)1001)]
    public void BlkioWeightOutOfRangeIsRefused(ushort blkio)
    {
        var e = Assert.Throws<RuntimeException>(() => Conversions.BlkioWeightToIoWeight(blkio, "linux.resources.blockIO.weight"));
        Assert.That(e!.Message, Is.EqualTo($"linux.resources.blockIO.weight: {blkio} is out of range (10-1000)"));
    }

    // OCI swap is memory+swap; memory.swap.max is swap alone.
    [TestCase(200L, 100L, "100")]
    [TestCase(100L, 100L, "0")]
    [TestCase(-1L, 100L, "max")]
    [TestCase(null, -1L, "max")]
    [TestCase(300L, -1L, "300")]
    [TestCase(null, 100L, null)]
    [TestCase(null, null, null)]
    public void MemorySwapToV2(long? swap, long? limit, string? expected) =>
        Assert.That(Conversions.MemorySwapToV2(swap, limit), Is.EqualTo(expected));

    [TestCase(50L, 100L, "must be >= the memory limit")]
    [TestCase(100L, null, "without a memory limit")]
    public void ImpossibleSwapIsRefused(long? swap, long? limit, string why)
    {
        var e = Assert.Throws<RuntimeException>(() => Conversions.MemorySwapToV2(swap, limit));
        Assert.That(e!.Message, Does.StartWith("linux.resources.memory.").And.Contain(why));
    }

    [TestCase(50000L, 100000UL, null, "50000 100000")]
    [TestCase(-1L, 100000UL, null, "max 100000")]
    [TestCase(50000L, null, null, "50000 100000")]
    [TestCase(null, 200000UL, "30000 100000", "30000 200000")]
    [TestCase(20000L, null, "30000 50000", "20000 50000")]
    [TestCase(null, 200000UL, "max 100000\n", "max 200000")]
    public void CpuMaxKeepsWhatTheUpdateLeavesOut(long? quota, ulong? period, string? current, string expected) =>
        Assert.That(Conversions.CpuMax(quota, period, current), Is.EqualTo(expected));

    [TestCase(100L, "100")]
    [TestCase(0L, "0")]
    [TestCase(-1L, "max")]
    public void PidsMax(long limit, string expected) => Assert.That(Conversions.PidsMax(limit), Is.EqualTo(expected));

    [TestCase(64UL, "64KB")]
    [TestCase(2048UL, "2MB")]
    [TestCase(32768UL, "32MB")]
    [TestCase(1048576UL, "1GB")]
    public void PageSizeNamesFollowTheKernelsHugetlbFiles(ulong kb, string name) =>
        Assert.That(Conversions.PageSizeName(kb), Is.EqualTo(name));

    [TestCase("2MB")]
    [TestCase("1GB")]
    public void HugePageSizeAcceptsKernelNames(string size) =>
        Assert.That(Conversions.HugePageSize(size, "f"), Is.EqualTo(size));

    [TestCase("2M")]
    [TestCase("../2MB")]
    [TestCase(null)]
    public void HugePageSizeRefusesAnythingElse(string? size)
    {
        var e = Assert.Throws<RuntimeException>(() => Conversions.HugePageSize(size, "linux.resources.hugepageLimits[0]"));
        Assert.That(e!.Message, Does.StartWith("linux.resources.hugepageLimits[0].pageSize: "));
    }

    [Test]
    public void HostHugePageSizesComeFromSysfs()
    {
        var expected = Directory.Exists("/sys/kernel/mm/hugepages")
            ? Directory.GetDirectories("/sys/kernel/mm/hugepages").Length : 0;
        Assert.That(Conversions.HostHugePageSizes(), Has.Count.EqualTo(expected));
    }
}
