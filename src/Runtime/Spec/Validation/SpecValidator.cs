namespace Runtime.Spec.Validation;

/// <summary>How a config is checked: what the command needs and what the host and runtime offer.</summary>
public sealed record ValidationOptions
{
    public static ValidationOptions Default { get; } = new();

    /// <summary>create and run need process; a bundle read for anything else may leave it out.</summary>
    public bool RequireProcess { get; init; } = true;
    /// <summary>When set, a relative root.path is resolved against it and must be an existing directory.</summary>
    public string? BundlePath { get; init; }
    public HostFacts Host { get; init; } = HostFacts.Current;
    public FeatureSupport Support { get; init; } = FeatureSupport.Current;
}

/// <summary>What validation found: problems (the config cannot run) and warnings (it runs, runc warns too).
/// Each line is "path: what", the path in config.json's own dotted form ("mounts[2].options[0]").</summary>
public sealed class ValidationResult
{
    public List<string> Problems { get; } = new();
    public List<string> Warnings { get; } = new();
    public bool Ok => Problems.Count == 0;

    internal void Problem(string path, string what) => Problems.Add(path.Length == 0 ? what : $"{path}: {what}");
    internal void Warn(string path, string what) => Warnings.Add(path.Length == 0 ? what : $"{path}: {what}");

    /// <summary>Throws the first problem as "source: path: what"; the first is the one a person fixes first.</summary>
    public void ThrowIfInvalid(string source)
    {
        if (Problems.Count > 0)
            throw new RuntimeException($"{source}: {Problems[0]}");
    }
}

/// <summary>
/// Semantic checks of a parsed config (the parser already enforced JSON types): what runtime-spec 1.2
/// says MUST hold and what runc's validator and specconv refuse, worded to name the field and the fix.
/// Seccomp is checked by the seccomp code; mount option names by the rootfs code.
/// </summary>
public static class SpecValidator
{
    public static ValidationResult Check(Spec spec, ValidationOptions? options = null)
    {
        var o = options ?? ValidationOptions.Default;
        var r = new ValidationResult();
        VersionValidator.Check(spec.OciVersion, r);
        RootValidator.Check(spec.Root, o, r);
        if (spec.Process != null)
            ProcessValidator.Check(spec.Process, "process.", o, r);
        else if (o.RequireProcess)
            r.Problem("process", "required to create a container");
        MountValidator.Check(spec.Mounts, o, r);
        HookValidator.Check(spec.Hooks, r);
        var namespaces = NamespaceValidator.Check(spec, o, r);
        HostnameValidator.Check(spec, namespaces, r);
        if (spec.Linux is { } linux)
        {
            DeviceValidator.Check(linux.Devices, r);
            if (linux.Resources != null)
                ResourcesValidator.Check(linux.Resources, "linux.resources.", r);
            SysctlValidator.Check(linux.Sysctl, namespaces, o.Host, r);
            LinuxValidator.Check(linux, namespaces, o, r);
        }
        AnnotationValidator.Check(spec.Annotations, r);
        return r;
    }

    /// <summary>Checks a process on its own (`exec --process`): paths are relative to the process object.</summary>
    public static ValidationResult CheckProcess(Process process, ValidationOptions? options = null)
    {
        var r = new ValidationResult();
        ProcessValidator.Check(process, "", options ?? ValidationOptions.Default, r);
        return r;
    }

    /// <summary>Checks resources on their own (`update --resources`): paths are relative to the resources object.</summary>
    public static ValidationResult CheckResources(LinuxResources resources)
    {
        var r = new ValidationResult();
        ResourcesValidator.Check(resources, "", r);
        return r;
    }
}
