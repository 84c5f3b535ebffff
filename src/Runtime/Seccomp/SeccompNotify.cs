using System.Text.Json;
using System.Text.Json.Serialization;
using Runtime.Linux;
using Runtime.Spec;

namespace Runtime.Seccomp;

/// <summary>
/// Hands a seccomp notify listener to the agent at linux.seccomp.listenerPath, in runc's format:
/// one connection per process, one sendmsg carrying the container process state JSON
/// (config-linux.md "The Container Process State") with the listener as the only SCM_RIGHTS fd,
/// then close. Runs in the parent (host context), where listenerPath is reachable.
/// </summary>
internal static class SeccompNotify
{
    /// <summary>The name of the listener in <see cref="ContainerProcessState.Fds"/> (specs-go SeccompFdName).</summary>
    public const string SeccompFdName = "seccompFd";

    /// <summary>Sends <paramref name="listenerFd"/> and the process state to the agent.
    /// <paramref name="pid"/> is the process the filter was loaded in (the init, or an exec'd
    /// process), <paramref name="state"/> the container's state (runc sends status "running").</summary>
    public static void SendListenerFd(string listenerPath, int listenerFd, int pid, OciState state, string? metadata)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new ContainerProcessState
        {
            Fds = new List<string> { SeccompFdName },
            Pid = pid,
            Metadata = string.IsNullOrEmpty(metadata) ? null : metadata,
            State = state,
        }, SeccompJsonContext.Default.ContainerProcessState);

        int sock;
        try
        {
            sock = Libc.ConnectUnix(listenerPath, "linux.seccomp.listenerPath");
        }
        catch (Exception e) when (e is SyscallException or RuntimeException)
        {
            // runc's wording, which its tests and users grep for.
            throw new RuntimeException($"failed to connect with seccomp agent specified in the seccomp profile: {e.Message}", e);
        }
        try
        {
            Libc.SendFd(sock, payload, listenerFd, $"cannot send seccomp fd to {listenerPath}");
        }
        finally
        {
            Libc.Close(sock);
        }
    }

    /// <summary>A copy (close-on-exec) of fd <paramref name="fdInProcess"/> of process
    /// <paramref name="pid"/>: how the parent takes the listener the init created, after the init
    /// wrote its number with write(2) (pidfd_getfd, Linux 5.6; like runc).</summary>
    public static int TakeListenerFd(int pid, int fdInProcess)
    {
        int pidfd = Libc.Check(Libc.PidfdOpen(pid), $"seccomp listener: pidfd_open {pid}");
        try
        {
            return Libc.Check(Libc.PidfdGetfd(pidfd, fdInProcess), $"seccomp listener: pidfd_getfd fd {fdInProcess} of pid {pid}");
        }
        finally
        {
            Libc.Close(pidfd);
        }
    }
}

/// <summary>specs-go ContainerProcessState.</summary>
internal sealed class ContainerProcessState
{
    public string OciVersion { get; set; } = SpecVersion.Current;
    public List<string> Fds { get; set; } = new();
    public int Pid { get; set; }
    public string? Metadata { get; set; }
    public OciState State { get; set; } = new();
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerProcessState))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext
{
}
