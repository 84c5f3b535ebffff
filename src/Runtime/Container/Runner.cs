using Runtime.Linux;
using Runtime.Process;
using Runtime.State;
using Runtime.Terminal;

namespace Runtime.Container;

/// <summary>`run`: create + start. In the foreground we stay the container's parent (a child
/// subreaper, so an init forked into a new pid namespace is reparented to us), forward signals,
/// reap, and exit with the container's status; then the container is deleted unless --keep.</summary>
internal static class Runner
{
    public static int Run(CreateRequest request, bool detach, bool keep, bool noSubreaper)
    {
        if (!detach && !noSubreaper)
            Libc.Check(Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
        ContainerRecord? started = null;
        using var forwarding = detach ? null : Foreground.Forward(() => started is { } c ? sig => Killer.SignalInit(c, sig) : null);
        // In the foreground without a console socket, a terminal is proxied through our own stdio.
        var pair = !detach && string.IsNullOrEmpty(request.ConsoleSocket) ? ConsoleSocket.Pair() : ((int Ours, int Theirs)?)null;
        ContainerRecord record;
        try
        {
            record = Creator.Create(request with { ProxySocket = pair?.Theirs ?? -1 });
        }
        finally
        {
            if (pair is { } p) Libc.Close(p.Theirs);
        }
        using var proxy = record.Terminal && pair is { } pp ? new TtyProxy(pp.Ours) : null;
        if (pair is { } po) Libc.Close(po.Ours);
        started = record;
        try
        {
            Starter.Start(request.Root, request.Id);
        }
        catch
        {
            Deleter.Delete(request.Root, request.Id, force: true);
            throw;
        }
        if (detach)
            return 0;

        Logging.Log.Stage("run: container runs");
        int exitCode = Foreground.Reap(record.Pid);
        proxy?.Dispose();
        if (!keep)
            Deleter.Delete(request.Root, request.Id, force: true);
        return exitCode;
    }
}
