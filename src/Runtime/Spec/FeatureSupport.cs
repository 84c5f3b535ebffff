namespace Runtime.Spec;

/// <summary>
/// What this runtime implements, stated in one place. `features` reports it, and validation refuses a
/// config that needs something missing here (a config we cannot honour fails at create instead of being
/// half-applied). Flip an item in <see cref="Current"/> when its code lands; nothing else claims support.
/// </summary>
public sealed record FeatureSupport
{
    /// <summary>Today's runtime. Edit this initializer as features land.</summary>
    public static FeatureSupport Current { get; } = new()
    {
        CgroupV1 = true, CgroupV2 = true, AppArmor = true, SELinux = true,
        SeccompProvider = Runtime.Seccomp.SeccompFeatureSet.Support,
    };

    public bool CgroupV1 { get; init; }
    public bool CgroupV2 { get; init; }
    public bool CgroupSystemd { get; init; }
    public bool CgroupSystemdUser { get; init; }
    public bool CgroupRdma { get; init; }

    /// <summary>Applies process.apparmorProfile (still needs AppArmor active on the host).</summary>
    public bool AppArmor { get; init; }
    /// <summary>Applies process.selinuxLabel / linux.mountLabel (still needs SELinux active on the host).</summary>
    public bool SELinux { get; init; }
    /// <summary>Applies linux.intelRdt (still needs resctrl mounted).</summary>
    public bool IntelRdt { get; init; }
    /// <summary>Honours mounts[].uidMappings/gidMappings (mount_setattr MOUNT_ATTR_IDMAP).</summary>
    public bool IdmapMounts { get; init; }
    /// <summary>Moves linux.netDevices into the container's network namespace.</summary>
    public bool NetDevices { get; init; }

    /// <summary>Seccomp as the seccomp code describes it. Asked for only when needed (`features`): it
    /// loads libseccomp and probes the kernel, which container start must not pay for.</summary>
    public SeccompSupport Seccomp => SeccompProvider?.Invoke() ?? SeccompSupport.None;
    public Func<SeccompSupport>? SeccompProvider { get; init; }

    /// <summary>Hook names run at their lifecycle points (Hooks/HookRunner).</summary>
    public IReadOnlyList<string> Hooks { get; init; } =
        ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

    private IReadOnlyList<string>? _mountOptions;

    /// <summary>Mount option names the rootfs code understands (features.mountOptions); computed when asked,
    /// so validating a config on the create path does not build it.</summary>
    public IReadOnlyList<string> MountOptions
    {
        get => _mountOptions ??= Rootfs.MountOptions.KnownNames.ToArray();
        init => _mountOptions = value;
    }

    /// <summary>config.json annotations that change what the runtime does; none today.</summary>
    public IReadOnlyList<string> PotentiallyUnsafeConfigAnnotations { get; init; } = [];
}

/// <summary>The seccomp part of `features`: filled from the seccomp code's own tables.</summary>
public sealed record SeccompSupport(
    bool Enabled,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Operators,
    IReadOnlyList<string> Archs,
    IReadOnlyList<string> KnownFlags,
    IReadOnlyList<string> SupportedFlags,
    string? LibseccompVersion = null)
{
    public static SeccompSupport None { get; } = new(false, [], [], [], [], []);
}
