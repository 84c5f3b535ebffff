using Runtime.Linux;
using Runtime.Process;
using Runtime.State;

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
        var record = Creator.Create(request);
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

        int exitCode = Foreground.Wait(record.Pid, sig => Killer.SignalInit(record, sig));
        if (!keep)
            Deleter.Delete(request.Root, request.Id, force: true);
        return exitCode;
    }
}
