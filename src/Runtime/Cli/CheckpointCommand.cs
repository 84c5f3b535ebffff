using System.CommandLine;

namespace Runtime.Cli;

/// <summary>`runtime checkpoint [flags] ID` (CRIU): every runc 1.1 flag.</summary>
internal sealed record CheckpointOptions(
    string Id,
    string? ImagePath,
    string? WorkPath,
    string? ParentPath,
    bool LeaveRunning,
    bool TcpEstablished,
    bool ExtUnixSk,
    bool ShellJob,
    bool LazyPages,
    int StatusFd,
    string? PageServer,
    bool FileLocks,
    bool PreDump,
    string? ManageCgroupsMode,
    string[] EmptyNs,
    bool AutoDedup);

internal static class CheckpointCommand
{
    private static readonly Argument<string> Id = Flags.ContainerId();
    private static readonly Option<string?> ImagePath = Flags.String("--image-path", "path for saving criu image files");
    private static readonly Option<string?> WorkPath = Flags.String("--work-path", "path for saving work files and logs");
    private static readonly Option<string?> ParentPath = Flags.String("--parent-path", "path for previous criu image files in pre-dump");
    private static readonly Option<bool> LeaveRunning = Flags.Bool("--leave-running", "leave the process running after checkpointing");
    private static readonly Option<bool> TcpEstablished = Flags.Bool("--tcp-established", "allow open tcp connections");
    private static readonly Option<bool> ExtUnixSk = Flags.Bool("--ext-unix-sk", "allow external unix sockets");
    private static readonly Option<bool> ShellJob = Flags.Bool("--shell-job", "allow shell jobs");
    private static readonly Option<bool> LazyPages = Flags.Bool("--lazy-pages", "use userfaultfd to lazily restore memory pages");
    private static readonly Option<int> StatusFd = Flags.Int("--status-fd", "criu writes \\0 to this FD once lazy-pages is ready (default: -1)", -1);
    private static readonly Option<string?> PageServer = Flags.String("--page-server", "ADDRESS:PORT of the page server");
    private static readonly Option<bool> FileLocks = Flags.Bool("--file-locks", "handle file locks, for safety");
    private static readonly Option<bool> PreDump = Flags.Bool("--pre-dump",
        "dump container's memory information only, leave the container running after this");
    private static readonly Option<string?> ManageCgroupsMode = Flags.ManageCgroupsMode();
    private static readonly Option<string[]> EmptyNs = Flags.EmptyNs();
    private static readonly Option<bool> AutoDedup = Flags.Bool("--auto-dedup", "enable auto deduplication of memory images");

    public static readonly CliCommand Definition = new CliCommand<CheckpointOptions>("checkpoint", Build, Bind, Invoke);

    private static Command Build() => new("checkpoint", "checkpoint a running container")
    {
        ImagePath, WorkPath, ParentPath, LeaveRunning, TcpEstablished, ExtUnixSk, ShellJob, LazyPages, StatusFd,
        PageServer, FileLocks, PreDump, ManageCgroupsMode, EmptyNs, AutoDedup, Id,
    };

    private static CheckpointOptions Bind(ParseResult r) => new(
        r.GetValue(Id)!, r.GetValue(ImagePath), r.GetValue(WorkPath), r.GetValue(ParentPath), r.GetValue(LeaveRunning),
        r.GetValue(TcpEstablished), r.GetValue(ExtUnixSk), r.GetValue(ShellJob), r.GetValue(LazyPages), r.GetValue(StatusFd),
        r.GetValue(PageServer), r.GetValue(FileLocks), r.GetValue(PreDump), r.GetValue(ManageCgroupsMode),
        r.GetValue(EmptyNs) ?? [], r.GetValue(AutoDedup));

    public static int Invoke(GlobalOptions g, CheckpointOptions o) => throw new NotImplementedYetException("checkpoint");
}
