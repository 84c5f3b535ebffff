using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>linux.devices (config-linux.md "Devices"): type c, b, u or p; absolute path; major and minor
/// for everything but a fifo.</summary>
internal static class DeviceValidator
{
    public static void Check(List<LinuxDevice>? devices, ValidationResult r)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++)
        {
            var d = devices![i];
            var at = $"linux.devices[{i}]";
            if (d == null)
            {
                r.Problem(at, "expected object, got null");
                continue;
            }
            if (string.IsNullOrEmpty(d.Path))
                r.Problem(at + ".path", "required (the device's absolute path inside the container)");
            else if (!IsAbsolute(d.Path))
                r.Problem(at + ".path", $"{Quote(d.Path)} is not an absolute path");
            else
                NoNul(d.Path, at + ".path", r);
            if (string.IsNullOrEmpty(d.Type))
                r.Problem(at + ".type", "required (c, b, u or p)");
            else if (d.Type is not ("c" or "b" or "u" or "p"))
                r.Problem(at + ".type", $"unknown device type {Quote(d.Type)} for {d.Path} (c, b, u or p)");
            else if (d.Type != "p")
            {
                Number(d.Major, at + ".major", d.Type, r);
                Number(d.Minor, at + ".minor", d.Type, r);
            }
        }
    }

    private static void Number(long? n, string path, string type, ValidationResult r)
    {
        if (n == null)
            r.Problem(path, $"required for a \"{type}\" device");
        else if (n < 0)
            r.Problem(path, $"{n} is negative");
    }
}
