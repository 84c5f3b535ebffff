using System.Text.Json;
using Runtime.Spec;

namespace Runtime.State;

/// <summary>
/// state.json, read and written with Utf8JsonReader/Writer rather than the serializer: every command reads
/// it, and the serializer's first use in a process builds metadata for the record's whole type graph
/// (~0.9 ms here, a sixth of `start`). The hooks and the seccomp profile, absent from most containers,
/// still go through the source-generated serializer, only when present. Property names are the
/// serializer's camelCase, so the files stay what they were.
/// </summary>
internal static class ContainerRecordJson
{
    public static byte[] Write(ContainerRecord r)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteString("bundle", r.Bundle);
            w.WriteString("rootfs", r.Rootfs);
            w.WriteNumber("pid", r.Pid);
            w.WriteNumber("pidStartTime", r.PidStartTime);
            w.WriteString("created", r.Created);
            w.WriteString("owner", r.Owner);
            if (r.Annotations != null)
                WriteMap(w, "annotations", r.Annotations);
            if (r.Poststart != null)
            {
                w.WritePropertyName("poststart");
                JsonSerializer.Serialize(w, r.Poststart, SpecJsonContext.Default.ListHook);
            }
            if (r.Poststop != null)
            {
                w.WritePropertyName("poststop");
                JsonSerializer.Serialize(w, r.Poststop, SpecJsonContext.Default.ListHook);
            }
            if (r.Cgroup != null)
            {
                w.WriteStartObject("cgroup");
                WriteMap(w, "v1", r.Cgroup.V1);
                if (r.Cgroup.Unified != null)
                    w.WriteString("unified", r.Cgroup.Unified);
                w.WriteEndObject();
            }
            w.WriteBoolean("privatePidNamespace", r.PrivatePidNamespace);
            if (r.NamespaceTypes != null)
            {
                w.WriteStartArray("namespaceTypes");
                foreach (var t in r.NamespaceTypes)
                    w.WriteStringValue(t);
                w.WriteEndArray();
            }
            w.WriteBoolean("started", r.Started);
            w.WriteBoolean("ready", r.Ready);
            if (r.Seccomp != null)
            {
                w.WritePropertyName("seccomp");
                JsonSerializer.Serialize(w, r.Seccomp, SpecJsonContext.Default.LinuxSeccomp);
            }
            w.WriteBoolean("terminal", r.Terminal);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses state.json; anything malformed (syntax or a value of the wrong type) is a JsonException.</summary>
    public static ContainerRecord Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            var r = new ContainerRecord();
            Expect(ref reader, JsonTokenType.StartObject);
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                    continue;
                switch (name)
                {
                    case "id": r.Id = reader.GetString()!; break;
                    case "bundle": r.Bundle = reader.GetString()!; break;
                    case "rootfs": r.Rootfs = reader.GetString()!; break;
                    case "pid": r.Pid = reader.GetInt32(); break;
                    case "pidStartTime": r.PidStartTime = reader.GetUInt64(); break;
                    case "created": r.Created = reader.GetDateTimeOffset(); break;
                    case "owner": r.Owner = reader.GetString()!; break;
                    case "annotations": r.Annotations = ReadMap(ref reader); break;
                    case "poststart": r.Poststart = JsonSerializer.Deserialize(ref reader, SpecJsonContext.Default.ListHook); break;
                    case "poststop": r.Poststop = JsonSerializer.Deserialize(ref reader, SpecJsonContext.Default.ListHook); break;
                    case "cgroup": r.Cgroup = ReadCgroup(ref reader); break;
                    case "privatePidNamespace": r.PrivatePidNamespace = reader.GetBoolean(); break;
                    case "namespaceTypes": r.NamespaceTypes = ReadList(ref reader); break;
                    case "started": r.Started = reader.GetBoolean(); break;
                    case "ready": r.Ready = reader.GetBoolean(); break;
                    case "seccomp": r.Seccomp = JsonSerializer.Deserialize(ref reader, SpecJsonContext.Default.LinuxSeccomp); break;
                    case "terminal": r.Terminal = reader.GetBoolean(); break;
                    default: reader.Skip(); break;
                }
            }
            Expect(ref reader, JsonTokenType.EndObject, current: true);
            return r;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new JsonException(e.Message, e); // a value of the wrong type
        }
    }

    private static Cgroups.CgroupPaths ReadCgroup(ref Utf8JsonReader reader)
    {
        var paths = new Cgroups.CgroupPaths();
        Expect(ref reader, JsonTokenType.StartObject, current: true);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "v1" when reader.TokenType != JsonTokenType.Null:
                    foreach (var (k, v) in ReadMap(ref reader))
                        paths.V1[k] = v;
                    break;
                case "unified": paths.Unified = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        return paths;
    }

    private static void WriteMap(Utf8JsonWriter w, string name, Dictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
            w.WriteString(k, v);
        w.WriteEndObject();
    }

    private static Dictionary<string, string> ReadMap(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, current: true);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.GetString()!;
        }
        return map;
    }

    private static List<string> ReadList(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, current: true);
        var list = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
            list.Add(reader.GetString()!);
        return list;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("unexpected end of the document");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, bool current = false)
    {
        if (!current)
            Next(ref reader);
        if (reader.TokenType != type)
            throw new JsonException($"expected {type}, got {reader.TokenType} at byte {reader.TokenStartIndex}");
    }
}
