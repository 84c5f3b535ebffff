using System.Buffers.Binary;
using System.Text;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Process;

/// <summary>
/// The parent's side of starting a process inside a container (DESIGN.md §1): spawn a sealed copy of
/// ourselves with the init socket, let the caller place it in cgroups, send the bootstrap, answer the
/// constructor stage (id maps), and learn the host pid of the process that continues into managed init.
/// </summary>
internal sealed class InitProcess : IDisposable
{
    /// <summary>Host pid of the container's init (or of the exec'd process).</summary>
    public int Pid { get; private set; }
    public InitChannel Channel { get; }
    private readonly int _spawnedPid;

    private InitProcess(int spawnedPid, InitChannel channel)
    {
        _spawnedPid = spawnedPid;
        Channel = channel;
    }

    /// <param name="preserveFds">fds 3..3+N-1 pass through to the container: the socket goes above them.</param>
    /// <param name="beforeBootstrap">runs with the spawned pid before any namespace exists (cgroup join).</param>
    public static unsafe InitProcess Start(BootstrapMessage bootstrap, int preserveFds,
        IReadOnlyList<LinuxIdMapping>? uidMappings, IReadOnlyList<LinuxIdMapping>? gidMappings,
        Action<int>? beforeBootstrap)
    {
        int* sv = stackalloc int[2];
        Libc.Check(Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv), "socketpair for the init channel");
        int parentEnd = sv[0];
        // The child's end must survive exec (no CLOEXEC) and sit above the preserved fds.
        int childEnd = Libc.Fcntl(sv[1], Libc.F_DUPFD, 3 + Math.Max(preserveFds, 0));
        int dupErrno = Libc.LastErrno;
        Libc.Close(sv[1]);
        var channel = new InitChannel(parentEnd);
        if (childEnd == -1)
        {
            channel.Dispose();
            throw new SyscallException("dup init socket", dupErrno);
        }

        int exe = -1, pid;
        Logging.Log.Stage("spawn init (sealed exe)");
        try
        {
            exe = SealedExe.Create();
            pid = Spawner.Spawn($"/proc/self/fd/{exe}", new[] { "runtime", "init" },
                new[] { $"_RUNTIME_INITPIPE={childEnd}", "DOTNET_gcConcurrent=0", "DOTNET_GCgen0size=0x100000" });
        }
        catch
        {
            channel.Dispose();
            throw;
        }
        finally
        {
            Libc.Close(childEnd);
            if (exe >= 0) Libc.Close(exe);
        }

        var init = new InitProcess(pid, channel);
        try
        {
            beforeBootstrap?.Invoke(pid);
            Logging.Log.Stage("constructor stage (namespaces)");
            channel.Send(InitMessage.Bootstrap, bootstrap.Encode());
            init.Handshake(uidMappings, gidMappings);
            return init;
        }
        catch
        {
            init.Kill();
            init.Dispose();
            throw;
        }
    }

    private void Handshake(IReadOnlyList<LinuxIdMapping>? uidMappings, IReadOnlyList<LinuxIdMapping>? gidMappings)
    {
        while (true)
        {
            var msg = Channel.Receive() ?? throw new RuntimeException(
                $"container init exited during namespace setup ({DescribeExit()})");
            switch (msg.Type)
            {
                case InitMessage.UsermapRequest:
                    WriteIdMap("uid_map", uidMappings, "linux.uidMappings");
                    WriteIdMap("gid_map", gidMappings, "linux.gidMappings");
                    Channel.Send(InitMessage.UsermapAck);
                    break;
                case InitMessage.ChildPid:
                    if (msg.Payload.Length != 4)
                        throw new RuntimeException("init channel: malformed child pid message");
                    Pid = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg.Payload);
                    // The intermediate process that forked into the new pid namespace exits now: reap it.
                    if (Pid != _spawnedPid)
                        Spawner.Wait(_spawnedPid);
                    return;
                case InitMessage.Error:
                    throw new RuntimeException(Encoding.UTF8.GetString(msg.Payload));
                default:
                    throw new RuntimeException($"init channel: unexpected message {msg.Type} during namespace setup");
            }
        }
    }

    private void WriteIdMap(string file, IReadOnlyList<LinuxIdMapping>? mappings, string field)
    {
        if (mappings == null || mappings.Count == 0)
            throw new RuntimeException($"{field}: a new user namespace needs at least one mapping");
        var text = string.Concat(mappings.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));
        ProcWrite.Write($"/proc/{_spawnedPid}/{file}", text, field);
    }

    private string DescribeExit()
    {
        unsafe
        {
            int status;
            int rc = Libc.WaitPid(_spawnedPid, &status, Libc.WNOHANG);
            if (rc == _spawnedPid)
                return (status & 0x7f) == 0 ? $"exit status {(status >> 8) & 0xff}" : $"killed by signal {status & 0x7f}";
            return "still running";
        }
    }

    /// <summary>Kills whatever was started (the init, or the intermediate before the pid was known) and reaps it.</summary>
    public void Kill()
    {
        if (Pid > 0)
            Libc.Kill(Pid, Libc.SIGKILL);
        Libc.Kill(_spawnedPid, Libc.SIGKILL);
        unsafe
        {
            int status;
            Libc.WaitPid(_spawnedPid, &status, 0);
            if (Pid > 0 && Pid != _spawnedPid)
                Libc.WaitPid(Pid, &status, Libc.WNOHANG);
        }
    }

    public void Dispose() => Channel.Dispose();
}
