using System.Text.Json;
using Runtime.Process;
using Runtime.Spec;

namespace Runtime.Init;

/// <summary>
/// Managed init: runs inside the container's namespaces after the constructor stage. Reads the
/// config and options from the init socket and sets up the container (or an exec'd process).
/// Any failure goes back to the parent as one message naming the stage and field, and we exit.
/// </summary>
internal static class InitMain
{
    public static int Run(int initPipe)
    {
        long started = Logging.LocalTime.UnixNanos(); // the .NET runtime is up: its start is a stage of its own
        using var channel = new InitChannel(initPipe);
        try
        {
            var options = JsonSerializer.Deserialize(channel.Expect(InitMessage.Options, "init: waiting for options"), InitJsonContext.Default.InitOptions)
                          ?? throw new RuntimeException("init: empty options");
            channel.TraceStages = options.Debug;
            channel.Stage($"{options.Mode} init: read options", started);
            var seccomp = options.HasSeccomp
                ? Seccomp.CompiledFilter.Deserialize(channel.Expect(InitMessage.Seccomp, "init: waiting for seccomp filter"))
                : null;
            if (options.Mode == "exec")
                ExecInit.Run(channel, options, seccomp);
            else
            {
                // Only a new container needs config.json: deserializing the spec's whole type graph is
                // the init's costliest step after the .NET start itself (docs/benchmarks.md, profile).
                channel.Stage("create init: read config");
                var spec = JsonSerializer.Deserialize(channel.Expect(InitMessage.Config, "init: waiting for config"), SpecJsonContext.Default.Spec)
                           ?? throw new RuntimeException("init: empty config");
                ContainerInit.Run(channel, spec, options, seccomp);
            }
            return 0; // not reached: both exec the user's program
        }
        catch (Exception e)
        {
            var msg = e is RuntimeException or Linux.SyscallException ? e.Message : $"init: {e.GetType().Name}: {e.Message}";
            try
            {
                channel.Send(InitMessage.Error, msg);
            }
            catch (Exception)
            {
                Console.Error.WriteLine($"runtime init: {msg}");
            }
            return 1;
        }
    }
}
