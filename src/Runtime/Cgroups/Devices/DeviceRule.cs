using System.Globalization;
using Runtime.Spec;

namespace Runtime.Cgroups.Devices;

[Flags]
public enum DeviceAccess : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Mknod = 4,
    All = Read | Write | Mknod,
}

/// <summary>
/// One linux.resources.devices entry in cgroup terms: type 'a' (all), 'b' or 'c'; major/minor -1 for a
/// wildcard; access bits. <see cref="ToString"/> is the devices.allow/deny syntax ("c 1:3 rwm", "a *:* rwm").
/// </summary>
public readonly record struct DeviceRule(char Type, long Major, long Minor, DeviceAccess Access, bool Allow)
{
    public const long Wildcard = -1;

    public static DeviceRule AllDevices(bool allow) => new('a', Wildcard, Wildcard, DeviceAccess.All, allow);

    /// <summary>Validates a spec entry (as runc: type defaults to 'a', major/minor to wildcards, access must be given).</summary>
    public static DeviceRule FromSpec(LinuxDeviceCgroup d, int index)
    {
        string field = $"linux.resources.devices[{index}]";
        char type = d.Type switch
        {
            null or "" or "a" => 'a',
            "b" => 'b',
            "c" => 'c',
            _ => throw new RuntimeException($"{field}.type: \"{d.Type}\" is not a device type (a, b or c)"),
        };
        if (string.IsNullOrEmpty(d.Access))
            throw new RuntimeException($"{field}.access: must not be empty (some of \"rwm\")");
        var access = ParseAccess(d.Access) ?? throw new RuntimeException($"{field}.access: \"{d.Access}\" has letters other than r, w and m");
        long major = d.Major ?? Wildcard, minor = d.Minor ?? Wildcard;
        if (major < Wildcard || major > uint.MaxValue) throw new RuntimeException($"{field}.major: {major} is out of range");
        if (minor < Wildcard || minor > uint.MaxValue) throw new RuntimeException($"{field}.minor: {minor} is out of range");
        return new DeviceRule(type, major, minor, access, d.Allow);
    }

    public static IReadOnlyList<DeviceRule> FromSpec(IReadOnlyList<LinuxDeviceCgroup> rules) =>
        rules.Select((d, i) => FromSpec(d, i)).ToList();

    public static DeviceAccess? ParseAccess(string s)
    {
        var access = DeviceAccess.None;
        foreach (var c in s)
        {
            switch (c)
            {
                case 'r': access |= DeviceAccess.Read; break;
                case 'w': access |= DeviceAccess.Write; break;
                case 'm': access |= DeviceAccess.Mknod; break;
                default: return null;
            }
        }
        return access;
    }

    public static string AccessString(DeviceAccess a) =>
        ((a & DeviceAccess.Read) != 0 ? "r" : "") + ((a & DeviceAccess.Write) != 0 ? "w" : "") + ((a & DeviceAccess.Mknod) != 0 ? "m" : "");

    public override string ToString() =>
        $"{Type} {Number(Major)}:{Number(Minor)} {AccessString(Access)}";

    private static string Number(long n) => n == Wildcard ? "*" : n.ToString(CultureInfo.InvariantCulture);
}
