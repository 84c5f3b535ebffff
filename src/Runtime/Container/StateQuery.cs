using Runtime.Spec;
using Runtime.State;

namespace Runtime.Container;

/// <summary>`state` and `list`: what is stored plus the live status.</summary>
internal static class StateQuery
{
    public static ContainerStateView Get(string root, string id)
    {
        using var dir = new StateStore(root).Open(id, locked: false);
        return View(dir.Read(), dir);
    }

    public static List<ContainerStateView> List(string root)
    {
        var store = new StateStore(root);
        var views = new List<ContainerStateView>();
        foreach (var id in store.ListIds())
        {
            try
            {
                using var dir = store.Open(id, locked: false);
                views.Add(View(dir.Read(), dir));
            }
            catch (RuntimeException)
            {
                // Deleted while we listed, or not a container directory: not listed, like runc.
            }
        }
        return views;
    }

    public static ContainerStateView View(ContainerRecord r, ContainerDir dir)
    {
        var status = ContainerStatus.Of(r, dir);
        return new ContainerStateView
        {
            Id = r.Id,
            Pid = status == ContainerStatus.Stopped ? 0 : r.Pid,
            Status = status,
            Bundle = r.Bundle,
            Rootfs = r.Rootfs,
            Created = r.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture),
            Owner = r.Owner,
            Annotations = r.Annotations,
        };
    }
}
