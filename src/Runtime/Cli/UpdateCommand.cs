using Runtime.Spec;
using Runtime.Container;
using System.CommandLine;
using System.CommandLine.Parsing;

namespace Runtime.Cli;

/// <summary>
/// `runtime update [flags] ID`. <see cref="Resources"/> is a file path or "-" (stdin) holding the JSON
/// resources; as in runc, when it is given the other flags are ignored. Every other field is null when its
/// flag is absent. Memory values are bytes (the command line may say 512m, 1g, -1 for unlimited).
/// <see cref="KernelMemory"/>/<see cref="KernelMemoryTcp"/> are runc 1.1's obsolete, hidden flags: accepted,
/// then only warned about.
/// </summary>
internal sealed record UpdateOptions(
    string Id,
    string? Resources,
    ushort? BlkioWeight,
    ulong? CpuPeriod,
    long? CpuQuota,
    ulong? CpuShare,
    ulong? CpuRtPeriod,
    long? CpuRtRuntime,
    string? CpusetCpus,
    string? CpusetMems,
    string? KernelMemory,
    string? KernelMemoryTcp,
    long? Memory,
    long? MemoryReservation,
    long? MemorySwap,
    long? PidsLimit,
    string? L3CacheSchema,
    string? MemBwSchema);

internal static class UpdateCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Option<string?> Resources = Flags.String("--resources",
        "path to the file containing the resources to update or '-' to read from the standard input " +
        "(JSON like the config's linux.resources; when given, all other options are ignored)", "-r");
    private static readonly Option<ushort?> BlkioWeight = new("--blkio-weight")
    {
        Description = "Specifies per cgroup weight, range is from 10 to 1000", HelpName = "value",
        CustomParser = r => GoValues.ParseInt(Flags.Value(r), out string? e) is { } v
            ? v == 0 ? null : v is > 0 and <= ushort.MaxValue ? (ushort)v : Flags.Fail<ushort?>(r, "--blkio-weight", "value out of range")
            : Flags.Fail<ushort?>(r, "--blkio-weight", e!),
    };
    private static readonly Option<ulong?> CpuPeriod = Unsigned("--cpu-period", "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default");
    private static readonly Option<long?> CpuQuota = Signed("--cpu-quota", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period");
    private static readonly Option<ulong?> CpuShare = Unsigned("--cpu-share", "CPU shares (relative weight vs. other containers)");
    private static readonly Option<ulong?> CpuRtPeriod = Unsigned("--cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default");
    private static readonly Option<long?> CpuRtRuntime = Signed("--cpu-rt-runtime", "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period");
    private static readonly Option<string?> CpusetCpus = Flags.String("--cpuset-cpus", "CPU(s) to use");
    private static readonly Option<string?> CpusetMems = Flags.String("--cpuset-mems", "Memory node(s) to use");
    private static readonly Option<string?> KernelMemory = Obsolete("--kernel-memory");
    private static readonly Option<string?> KernelMemoryTcp = Obsolete("--kernel-memory-tcp");
    private static readonly Option<long?> Memory = Size("--memory", "Memory limit (in bytes; k, m, g… suffixes allowed)");
    private static readonly Option<long?> MemoryReservation = Size("--memory-reservation", "Memory reservation or soft_limit (in bytes)");
    private static readonly Option<long?> MemorySwap = Size("--memory-swap", "Total memory usage (memory + swap); set '-1' to enable unlimited swap");
    private static readonly Option<long?> PidsLimit = Flags.OptionalInt("--pids-limit", "Maximum number of pids allowed in the container");
    private static readonly Option<string?> L3CacheSchema = Flags.String("--l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema");
    private static readonly Option<string?> MemBwSchema = Flags.String("--mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema");

    public static readonly CliCommand Definition = new CliCommand<UpdateOptions>("update", Build, Bind, Invoke);

    private static Command Build() => new("update", "update container resource constraints")
    {
        Resources, BlkioWeight, CpuPeriod, CpuQuota, CpuShare, CpuRtPeriod, CpuRtRuntime, CpusetCpus, CpusetMems,
        KernelMemory, KernelMemoryTcp, Memory, MemoryReservation, MemorySwap, PidsLimit, L3CacheSchema, MemBwSchema, Id,
    };

    private static UpdateOptions Bind(ParseResult r) => new(
        r.GetValue(Id)!, NonEmpty(r.GetValue(Resources)), r.GetValue(BlkioWeight), r.GetValue(CpuPeriod), r.GetValue(CpuQuota),
        r.GetValue(CpuShare), r.GetValue(CpuRtPeriod), r.GetValue(CpuRtRuntime), NonEmpty(r.GetValue(CpusetCpus)),
        NonEmpty(r.GetValue(CpusetMems)), NonEmpty(r.GetValue(KernelMemory)), NonEmpty(r.GetValue(KernelMemoryTcp)),
        r.GetValue(Memory), r.GetValue(MemoryReservation), r.GetValue(MemorySwap), r.GetValue(PidsLimit),
        NonEmpty(r.GetValue(L3CacheSchema)), NonEmpty(r.GetValue(MemBwSchema)));

    public static int Invoke(GlobalOptions g, UpdateOptions o)
    {
        CgroupCommands.Update(g.Root, o.Id, ResourcesOf(o));
        return 0;
    }

    /// <summary>--resources FILE|- (a LinuxResources document, as containerd and CRI-O send it) or the flags.</summary>
    private static LinuxResources ResourcesOf(UpdateOptions o)
    {
        if (o.Resources != null)
        {
            if (o.Resources == "-")
                return ConfigLoader.LoadResources(Console.OpenStandardInput(), "stdin");
            using var f = File.OpenRead(o.Resources);
            return ConfigLoader.LoadResources(f, o.Resources);
        }
        if (o.L3CacheSchema != null || o.MemBwSchema != null)
            throw new RuntimeException("update: Intel RDT is not supported on this host");
        var r = new LinuxResources();
        if (o.Memory != null || o.MemoryReservation != null || o.MemorySwap != null)
            r.Memory = new LinuxMemory { Limit = o.Memory, Reservation = o.MemoryReservation, Swap = o.MemorySwap };
        if (o.CpuPeriod != null || o.CpuQuota != null || o.CpuShare != null || o.CpuRtPeriod != null || o.CpuRtRuntime != null || o.CpusetCpus != null || o.CpusetMems != null)
            r.Cpu = new LinuxCpu { Period = o.CpuPeriod, Quota = o.CpuQuota, Shares = o.CpuShare, RealtimePeriod = o.CpuRtPeriod, RealtimeRuntime = o.CpuRtRuntime, Cpus = o.CpusetCpus, Mems = o.CpusetMems };
        if (o.PidsLimit != null)
            r.Pids = new LinuxPids { Limit = o.PidsLimit.Value };
        if (o.BlkioWeight != null)
            r.BlockIO = new LinuxBlockIo { Weight = o.BlkioWeight };
        return r;
    }

    // runc reads these flags as strings and treats "" as not given.
    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    // runc's wording for its own value checks: "invalid value for cpu-period: …".
    private static T Invalid<T>(ArgumentResult r, string flag, string cause)
    {
        r.AddError($"invalid value for {flag.TrimStart('-')}: {cause}");
        return default!;
    }

    private static Option<ulong?> Unsigned(string name, string description) => new(name)
    {
        Description = description, HelpName = "value",
        CustomParser = r => Flags.Value(r) is "" ? null
            : GoValues.ParseUnsignedDecimal(Flags.Value(r), out string? e) ?? Invalid<ulong?>(r, name, e!),
    };

    private static Option<long?> Signed(string name, string description) => new(name)
    {
        Description = description, HelpName = "value",
        CustomParser = r => Flags.Value(r) is "" ? null
            : GoValues.ParseDecimal(Flags.Value(r), out string? e) ?? Invalid<long?>(r, name, e!),
    };

    private static Option<long?> Size(string name, string description) => new(name)
    {
        Description = description, HelpName = "value",
        CustomParser = r => Flags.Value(r) switch
        {
            "" => null,
            "-1" => -1,
            var v => GoValues.ParseRamSize(v, out string? e) ?? Invalid<long?>(r, name, e!),
        },
    };

    private static Option<string?> Obsolete(string name) => new(name) { Description = "(obsoleted; do not use)", HelpName = "value", Hidden = true };
}
