using System.Text;
using System.Text.Json;
using Runtime.Spec;

namespace Runtime.Container;

/// <summary>`state` and `list` output, byte-compatible with runc's: callers parse it.</summary>
internal static class StateOutput
{
    /// <summary>`state`: two-space indented JSON, no trailing newline.</summary>
    public static string State(ContainerStateView view) =>
        Write(new JsonWriterOptions { Indented = true, IndentSize = 2 }, w => WriteView(w, view));

    /// <summary>`list --format json`: one compact array ("null"-free: an empty list is []).</summary>
    public static string ListJson(List<ContainerStateView> views) =>
        Write(default, w =>
        {
            w.WriteStartArray();
            foreach (var v in views)
                WriteView(w, v);
            w.WriteEndArray();
        });

    // Written with Utf8JsonWriter rather than the serializer, whose first use per process costs more
    // than the rest of `state` (docs/benchmarks.md); the writer's default escaping is the serializer's.
    private static string Write(JsonWriterOptions options, Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, options))
            write(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>runc's field order; annotations only when there are any (omitempty).</summary>
    private static void WriteView(Utf8JsonWriter w, ContainerStateView v)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion", v.OciVersion);
        w.WriteString("id", v.Id);
        w.WriteNumber("pid", v.Pid);
        w.WriteString("status", v.Status);
        w.WriteString("bundle", v.Bundle);
        w.WriteString("rootfs", v.Rootfs);
        w.WriteString("created", v.Created);
        w.WriteString("owner", v.Owner);
        if (v.Annotations != null)
        {
            w.WriteStartObject("annotations");
            foreach (var (k, val) in v.Annotations)
                w.WriteString(k, val);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>`list`: Go tabwriter columns (min width 12, padding 3); `-q`: IDs only.</summary>
    public static string ListTable(List<ContainerStateView> views, bool quiet)
    {
        var sb = new StringBuilder();
        if (quiet)
        {
            foreach (var v in views) sb.Append(v.Id).Append('\n');
            return sb.ToString();
        }
        var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        rows.AddRange(views.Select(v => new[] { v.Id, v.Pid.ToString(), v.Status, v.Bundle, v.Created, v.Owner }));
        var widths = new int[6];
        foreach (var row in rows)
            for (int c = 0; c < 5; c++)
                widths[c] = Math.Max(widths[c], Math.Max(12, row[c].Length + 3));
        foreach (var row in rows)
        {
            for (int c = 0; c < 5; c++) sb.Append(row[c].PadRight(widths[c]));
            sb.Append(row[5]).Append('\n');
        }
        return sb.ToString();
    }
}
