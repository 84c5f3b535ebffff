using System.Text.Json.Serialization;

namespace Runtime.Init;

/// <summary>What the parent tells managed init besides config.json (InitMessage.Options).</summary>
public sealed class InitOptions
{
    /// <summary>"create" sets up a container; "exec" starts one more process in a running one.</summary>
    public string Mode { get; set; } = "create";
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    /// <summary>Absolute host path of the rootfs.</summary>
    public string Rootfs { get; set; } = "";
    public bool NoPivot { get; set; }
    public bool NoNewKeyring { get; set; }
    public int PreserveFds { get; set; }
    /// <summary>How many of <see cref="PreserveFds"/> came from socket activation (LISTEN_FDS).</summary>
    public int ListenFds { get; set; }
    /// <summary>Inherited O_PATH fd of the exec fifo `start` opens (create only): the state
    /// directory is 0700 and the init may already be an unprivileged host uid.</summary>
    public int FifoFd { get; set; } = -1;
    /// <summary>The process to run for exec (create runs config.json's process).</summary>
    public Spec.Process? Process { get; set; }
    public bool HasSeccomp { get; set; }
    /// <summary>Host LSM state, detected by the parent: after pivot_root the container's /sys hides the host's.</summary>
    public bool AppArmorEnabled { get; set; }
    public bool SelinuxEnabled { get; set; }
    /// <summary>The parent runs with --debug: report stages (<see cref="Process.InitChannel.Stage"/>).</summary>
    public bool Debug { get; set; }
    /// <summary>Inherited fd of the connected console socket when process.terminal is set, else -1.</summary>
    public int ConsoleSocketFd { get; set; } = -1;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitOptions))]
internal sealed partial class InitJsonContext : JsonSerializerContext
{
}
