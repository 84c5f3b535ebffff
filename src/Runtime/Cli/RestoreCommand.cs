using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime restore [flags] ID` (CRIU): every runc 1.1 flag.</summary>
internal sealed record RestoreOptions(
    string Id,
    string? ConsoleSocket,
    string? ImagePath,
    string? WorkPath,
    bool TcpEstablished,
    bool ExtUnixSk,
    bool ShellJob,
    bool FileLocks,
    string? ManageCgroupsMode,
    string? Bundle,
    bool Detach,
    string? PidFile,
    bool NoSubreaper,
    bool NoPivot,
    string[] EmptyNs,
    bool AutoDedup,
    bool LazyPages,
    string? LsmProfile,
    string? LsmMountContext);

internal static class RestoreCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Option<string?> ConsoleSocket = Flags.ConsoleSocket();
    private static readonly Option<string?> ImagePath = Flags.String("--image-path", "path to criu image files for restoring");
    private static readonly Option<string?> WorkPath = Flags.String("--work-path", "path for saving work files and logs");
    private static readonly Option<bool> TcpEstablished = Flags.Bool("--tcp-established", "allow open tcp connections");
    private static readonly Option<bool> ExtUnixSk = Flags.Bool("--ext-unix-sk", "allow external unix sockets");
    private static readonly Option<bool> ShellJob = Flags.Bool("--shell-job", "allow shell jobs");
    private static readonly Option<bool> FileLocks = Flags.Bool("--file-locks", "handle file locks, for safety");
    private static readonly Option<string?> ManageCgroupsMode = Flags.ManageCgroupsMode();
    private static readonly Option<string?> Bundle = Flags.Bundle("path to the root of the bundle directory");
    private static readonly Option<bool> Detach = Flags.Detach();
    private static readonly Option<string?> PidFile = Flags.PidFile();
    private static readonly Option<bool> NoSubreaper = Flags.NoSubreaper();
    private static readonly Option<bool> NoPivot = Flags.NoPivot();
    private static readonly Option<string[]> EmptyNs = Flags.EmptyNs();
    private static readonly Option<bool> AutoDedup = Flags.Bool("--auto-dedup", "enable auto deduplication of memory images");
    private static readonly Option<bool> LazyPages = Flags.Bool("--lazy-pages", "use userfaultfd to lazily restore memory pages");
    private static readonly Option<string?> LsmProfile = Flags.String("--lsm-profile",
        "Specify an LSM profile to be used during restore in the form of TYPE:NAME.");
    private static readonly Option<string?> LsmMountContext = Flags.String("--lsm-mount-context",
        "Specify an LSM mount context to be used during restore.");

    public static readonly CliCommand Definition = new CliCommand<RestoreOptions>("restore", Build, Bind, Invoke);

    private static Command Build() => new("restore", "restore a container from a previous checkpoint")
    {
        ConsoleSocket, ImagePath, WorkPath, TcpEstablished, ExtUnixSk, ShellJob, FileLocks, ManageCgroupsMode, Bundle,
        Detach, PidFile, NoSubreaper, NoPivot, EmptyNs, AutoDedup, LazyPages, LsmProfile, LsmMountContext, Id,
    };

    private static RestoreOptions Bind(ParseResult r) => new(
        r.GetValue(Id)!, r.GetValue(ConsoleSocket), r.GetValue(ImagePath), r.GetValue(WorkPath), r.GetValue(TcpEstablished),
        r.GetValue(ExtUnixSk), r.GetValue(ShellJob), r.GetValue(FileLocks), r.GetValue(ManageCgroupsMode), r.GetValue(Bundle),
        r.GetValue(Detach), r.GetValue(PidFile), r.GetValue(NoSubreaper), r.GetValue(NoPivot), r.GetValue(EmptyNs) ?? [],
        r.GetValue(AutoDedup), r.GetValue(LazyPages), r.GetValue(LsmProfile), r.GetValue(LsmMountContext));

    public static int Invoke(GlobalOptions g, RestoreOptions o) => throw new NotImplementedYetException("restore");
}
