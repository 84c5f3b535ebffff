using System.Text.Json;
using Runtime.Linux;

namespace Runtime.State;

/// <summary>The state root (--root, default /run/runtime): one 0700 directory per container ID.</summary>
public sealed class StateStore
{
    public string Root { get; }

    public StateStore(string root)
    {
        if (string.IsNullOrEmpty(root))
            throw new RuntimeException("--root must not be empty");
        Root = Path.GetFullPath(root);
    }

    /// <summary>Creates the directory for a new container, locked. Fails with runc's wording if the ID is taken.</summary>
    public ContainerDir CreateNew(string id)
    {
        ContainerId.Validate(id);
        EnsureRoot();
        int rc = Libc.MkdirAt(Libc.AT_FDCWD, Path.Combine(Root, id), 0x1c0 /* 0700 */);
        if (rc == -1)
        {
            int errno = Libc.LastErrno;
            if (errno == Errnos.EEXIST)
                throw new RuntimeException("container with given ID already exists");
            throw new SyscallException($"mkdir {Path.Combine(Root, id)}", errno);
        }
        var dir = ContainerDir.OpenExisting(this, id) ?? throw new RuntimeException("container does not exist");
        dir.Lock();
        return dir;
    }

    /// <summary>Opens and locks an existing container's directory; "container does not exist" otherwise.
    /// <paramref name="locked"/> false is for readers (state, list): state.json is replaced atomically,
    /// and `create` holds the lock while its hooks run, which may themselves ask for the state.</summary>
    public ContainerDir Open(string id, bool locked = true)
    {
        ContainerId.Validate(id);
        var dir = ContainerDir.OpenExisting(this, id) ?? throw new RuntimeException("container does not exist");
        try
        {
            if (locked)
                dir.Lock();
            return dir;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>IDs of every stored container, sorted; an absent root is an empty list (runc's list).</summary>
    public List<string> ListIds()
    {
        var ids = new List<string>();
        if (!Directory.Exists(Root))
            return ids;
        foreach (var d in new DirectoryInfo(Root).EnumerateDirectories())
            if (d.LinkTarget == null)
                ids.Add(d.Name);
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private void EnsureRoot()
    {
        if (Directory.Exists(Root))
            return;
        // 0700 on every directory we create: state must not be readable by other users.
        var missing = new Stack<string>();
        for (var p = Root; !Directory.Exists(p); p = Path.GetDirectoryName(p)!)
            missing.Push(p);
        while (missing.Count > 0)
        {
            var p = missing.Pop();
            if (Libc.MkdirAt(Libc.AT_FDCWD, p, 0x1c0) == -1 && Libc.LastErrno != Errnos.EEXIST)
                throw new RuntimeException($"cannot create state root: mkdir {p}: {Errnos.Describe(Libc.LastErrno)}");
        }
    }
}

/// <summary>A container's state directory, held open (and flock'ed) while a command works on it so
/// concurrent commands on one ID serialise.</summary>
public sealed class ContainerDir : IDisposable
{
    public const string StateFile = "state.json";
    public const string ExecFifo = "exec.fifo";

    public string Id { get; }
    public string Path { get; }
    public int Fd { get; private set; }

    private ContainerDir(string id, string path, int fd)
    {
        Id = id;
        Path = path;
        Fd = fd;
    }

    internal static ContainerDir? OpenExisting(StateStore store, string id)
    {
        var path = System.IO.Path.Combine(store.Root, id);
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0);
        if (fd == -1)
        {
            int errno = Libc.LastErrno;
            if (errno is Errnos.ENOENT or Errnos.ENOTDIR or Errnos.ELOOP)
                return null;
            throw new SyscallException($"open {path}", errno);
        }
        return new ContainerDir(id, path, fd);
    }

    internal void Lock()
    {
        Libc.Check(Libc.Retry(() => Libc.Flock(Fd, Libc.LOCK_EX)), $"lock {Path}");
        // Deleted while we waited for the lock: the holder removed the container.
        if (!Directory.Exists(Path))
            throw new RuntimeException("container does not exist");
    }

    public bool HasExecFifo => File.Exists(System.IO.Path.Combine(Path, ExecFifo));

    public ContainerRecord Read()
    {
        var file = System.IO.Path.Combine(Path, StateFile);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (FileNotFoundException)
        {
            // The directory exists but create has not written state yet (or died before it).
            return new ContainerRecord { Id = Id };
        }
        try
        {
            return ContainerRecordJson.Read(bytes);
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"container {Id}: corrupt state file {file}: {e.Message}");
        }
    }

    /// <summary>Writes state.json atomically: a temp file, then rename. No fsync, like runc and crun: the state
    /// describes processes that do not outlive a reboot (the root is normally a tmpfs under /run), and on a
    /// disk-backed root an fsync per state change cost a measurable share of `start`.</summary>
    public unsafe void Write(ContainerRecord record)
    {
        var bytes = ContainerRecordJson.Write(record);
        const string tmp = StateFile + ".tmp";
        int fd = Libc.Check(Libc.OpenAt(Fd, tmp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0x180),
            $"create {System.IO.Path.Combine(Path, tmp)}");
        try
        {
            fixed (byte* p = bytes)
            {
                for (nint off = 0; off < bytes.Length;)
                {
                    nint n = Libc.Write(fd, p + off, bytes.Length - off);
                    if (n == -1 && Libc.LastErrno == Errnos.EINTR) continue;
                    off += Libc.Check(n, $"write {System.IO.Path.Combine(Path, tmp)}");
                }
            }
        }
        finally
        {
            Libc.Close(fd);
        }
        Libc.Check(Libc.RenameAt(Fd, tmp, Fd, StateFile), $"rename {tmp} to {StateFile} in {Path}");
    }

    /// <summary>Removes the directory and everything in it (we still hold the lock on the open fd).</summary>
    public void Remove()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.Close(Fd);
            Fd = -1;
        }
    }

}
