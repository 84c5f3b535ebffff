using System.Buffers.Binary;
using Runtime.Process;
using Runtime.Seccomp;
using Runtime.Spec;

namespace Runtime.Container;

/// <summary>The parent's part of seccomp: compile (cached under the state root; the init cannot reach
/// libseccomp in the container's filesystem), and hand a notify listener to the agent.</summary>
internal static class SeccompSetup
{
    public static byte[]? Compile(string stateRoot, LinuxSeccomp? seccomp) =>
        SeccompCompiler.IsRequested(seccomp)
            ? SeccompCache.GetOrCompile(seccomp, Path.Combine(stateRoot, ".seccomp-cache"))?.Serialize()
            : null;

    /// <summary>Answers InitMessage.SeccompListener: copies the listener out of <paramref name="pid"/> and sends
    /// it with the container's state to linux.seccomp.listenerPath, as runc does.</summary>
    public static void ServeListener(InitChannel channel, byte[] payload, int pid, LinuxSeccomp seccomp, OciState state)
    {
        if (payload.Length != 4)
            throw new RuntimeException("init channel: malformed seccomp listener message");
        int fd = SeccompNotify.TakeListenerFd(pid, BinaryPrimitives.ReadInt32LittleEndian(payload));
        try
        {
            SeccompNotify.SendListenerFd(seccomp.ListenerPath!, fd, pid, state, seccomp.ListenerMetadata);
        }
        finally
        {
            Linux.Libc.Close(fd);
        }
        channel.Send(InitMessage.SeccompListener, payload);
    }
}
