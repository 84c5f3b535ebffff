using System.Globalization;
using System.Text.RegularExpressions;

namespace Runtime.Cgroups;

/// <summary>
/// OCI values (defined in cgroup v1 terms) turned into what cgroup v2 files take, with runc's formulas so a
/// container gets the same numbers under either runtime. Pure functions.
/// </summary>
public static partial class Conversions
{
    /// <summary>cpu.shares [2, 262144] to cpu.weight [1, 10000]: runc's quadratic fit through
    /// (2, 1), (1024, 100) and (262144, 10000), so the default 1024 maps to the default weight 100. 0 means unset.</summary>
    public static ulong CpuSharesToWeight(ulong shares)
    {
        if (shares == 0) return 0;
        if (shares <= 2) return 1;
        if (shares >= 262144) return 10000;
        double l = Math.Log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (ulong)Math.Ceiling(Math.Pow(10, exponent));
    }

    /// <summary>blkio.weight [10, 1000] to io.weight [1, 10000] (linear, runc's formula).</summary>
    public static ulong BlkioWeightToIoWeight(ushort weight, string field)
    {
        if (weight is < 10 or > 1000)
            throw new RuntimeException($"{field}: {weight} is out of range (10-1000)");
        return 1 + ((ulong)weight - 10) * 9999 / 990;
    }

    /// <summary>
    /// OCI memory.swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. Returns the memory.swap.max
    /// value to write, or null for nothing to write. -1 is unlimited ("max"). A limit of -1 with no swap given
    /// means both unlimited, as v1 would behave.
    /// </summary>
    public static string? MemorySwapToV2(long? swap, long? limit)
    {
        long s = swap ?? 0, m = limit ?? 0;
        if (m == -1 && s == 0) return "max";
        if (s == 0) return null;
        if (s == -1) return "max";
        if (m == -1) return CgroupFile.Num(s);
        if (m == 0) throw new RuntimeException("linux.resources.memory.swap: cannot set a swap limit without a memory limit on cgroup v2 (swap is memory+swap)");
        if (m < 0) throw new RuntimeException($"linux.resources.memory.limit: invalid value {m}");
        if (s < m) throw new RuntimeException($"linux.resources.memory.swap: memory+swap limit {s} must be >= the memory limit {m}");
        return CgroupFile.Num(s - m);
    }

    /// <summary>A v1 memory value as the v2 file takes it: -1 is "max".</summary>
    public static string MemoryToV2(long value) => value == -1 ? "max" : CgroupFile.Num(value);

    /// <summary>
    /// cpu.max "$QUOTA $PERIOD". A quota of 0 or less is "max"; what the update leaves out is kept from
    /// <paramref name="current"/> (the file's present content) so updating the period alone keeps the quota.
    /// </summary>
    public static string CpuMax(long? quota, ulong? period, string? current)
    {
        var cur = (current ?? "max 100000").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string q = quota is { } qv ? (qv > 0 ? CgroupFile.Num(qv) : "max") : (cur.Length > 0 ? cur[0] : "max");
        string p = period is { } pv and > 0 ? CgroupFile.Num(pv) : (cur.Length > 1 ? cur[1] : "100000");
        return $"{q} {p}";
    }

    /// <summary>pids.max: a limit as is (0 included: runtime-spec 1.3 makes it a real limit), negative as "max".</summary>
    public static string PidsMax(long limit) => limit < 0 ? "max" : CgroupFile.Num(limit);

    /// <summary>The page size part of hugetlb file names ("2MB", "1GB", "64KB"); anything else is refused before it can become a path.</summary>
    public static string HugePageSize(string? pageSize, string field)
    {
        if (pageSize == null || !PageSizeRegex().IsMatch(pageSize))
            throw new RuntimeException($"{field}.pageSize: \"{pageSize}\" is not a page size like \"2MB\" or \"1GB\"");
        return pageSize;
    }

    /// <summary>The page sizes this kernel supports, named the way hugetlb files are ("2MB", "1GB").</summary>
    public static IReadOnlyList<string> HostHugePageSizes()
    {
        const string dir = "/sys/kernel/mm/hugepages";
        if (!Directory.Exists(dir)) return [];
        var sizes = new List<(ulong kb, string name)>();
        foreach (var entry in Directory.EnumerateDirectories(dir))
        {
            var name = Path.GetFileName(entry);
            if (!name.StartsWith("hugepages-", StringComparison.Ordinal) || !name.EndsWith("kB", StringComparison.Ordinal)) continue;
            if (!ulong.TryParse(name.AsSpan(10, name.Length - 12), NumberStyles.None, CultureInfo.InvariantCulture, out var kb)) continue;
            sizes.Add((kb, PageSizeName(kb)));
        }
        return sizes.OrderBy(s => s.kb).Select(s => s.name).ToList();
    }

    /// <summary>2048 (kB) → "2MB", 1048576 → "1GB", 64 → "64KB" (the kernel's hugetlb file naming).</summary>
    public static string PageSizeName(ulong kb) =>
        kb >= 1 << 20 ? $"{kb >> 20}GB" : kb >= 1 << 10 ? $"{kb >> 10}MB" : $"{kb}KB";

    [GeneratedRegex("^[0-9]+[KMG]B$")]
    private static partial Regex PageSizeRegex();
}
