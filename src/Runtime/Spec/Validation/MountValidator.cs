using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>mounts[] (config.md "Mounts"). Option names are the rootfs code's business.</summary>
internal static class MountValidator
{
    public static void Check(List<Mount>? mounts, ValidationOptions o, ValidationResult r)
    {
        for (int i = 0; i < (mounts?.Count ?? 0); i++)
        {
            var m = mounts![i];
            var path = $"mounts[{i}]";
            if (m == null)
            {
                r.Problem(path, "expected object, got null");
                continue;
            }
            if (string.IsNullOrEmpty(m.Destination))
                r.Problem(path + ".destination", "required (where the mount goes inside the container)");
            else if (HasNul(m.Destination))
                r.Problem(path + ".destination", "contains a NUL byte");
            else if (!IsAbsolute(m.Destination))
                // The spec allows it "for compatibility"; runc warns and takes it relative to "/".
                r.Warn(path + ".destination", $"{Quote(m.Destination)} is not absolute: taken as relative to \"/\" (deprecated)");
            NoNul(m.Source, path + ".source", r);
            NoNul(m.Type, path + ".type", r);
            Strings(m.Options, path + ".options", r);

            bool uid = m.UidMappings != null, gid = m.GidMappings != null;
            if (uid != gid)
                r.Problem(path, "uidMappings and gidMappings must be given together");
            else if (uid && !o.Support.IdmapMounts)
                r.Problem(path + ".uidMappings", "id-mapped mounts are not supported by this runtime");
            IdMappings.Check(m.UidMappings, path + ".uidMappings", r);
            IdMappings.Check(m.GidMappings, path + ".gidMappings", r);
        }
    }
}

/// <summary>uidMappings/gidMappings entries, for the user namespace and for id-mapped mounts.</summary>
internal static class IdMappings
{
    public static void Check(List<LinuxIdMapping>? mappings, string path, ValidationResult r)
    {
        for (int i = 0; i < (mappings?.Count ?? 0); i++)
        {
            var m = mappings![i];
            if (m == null)
                r.Problem($"{path}[{i}]", "expected object, got null");
            else if (m.Size == 0)
                r.Problem($"{path}[{i}].size", "must be greater than 0");
            else if ((ulong)m.ContainerId + m.Size - 1 > uint.MaxValue)
                r.Problem($"{path}[{i}]", $"containerID {m.ContainerId} + size {m.Size} runs past {uint.MaxValue}");
            else if ((ulong)m.HostId + m.Size - 1 > uint.MaxValue)
                r.Problem($"{path}[{i}]", $"hostID {m.HostId} + size {m.Size} runs past {uint.MaxValue}");
        }
    }
}
