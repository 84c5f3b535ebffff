using NUnit.Framework;

namespace Runtime.Bench.Tests;

public class StatsTests
{
    [Test]
    public void MedianOfOddAndEvenCounts()
    {
        Assert.That(Stats.Median([5, 1, 3]), Is.EqualTo(3));
        Assert.That(Stats.Median([4, 1, 3, 2]), Is.EqualTo(2.5));
        Assert.That(double.IsNaN(Stats.Median([])), Is.True);
    }

    [Test]
    public void PairedRatioPairsRunsByIndex()
    {
        // Ratio of medians would be 20/10 = 2; the runs pair up as 1, 1, 4: median 1.
        var a = new Series { Samples = [10, 20, 40] };
        var b = new Series { Samples = [10, 20, 10] };
        Assert.That(Stats.PairedRatio(a, b), Is.EqualTo(1));
    }

    [Test]
    public void PairedRatioIsNullWhenEitherSideFailed()
    {
        var ok = new Series { Samples = [1, 2] };
        var failed = new Series { Samples = [1], Error = "exit status 1: not implemented yet" };
        Assert.That(Stats.PairedRatio(ok, failed), Is.Null);
        Assert.That(Stats.PairedRatio(failed, ok), Is.Null);
    }
}
