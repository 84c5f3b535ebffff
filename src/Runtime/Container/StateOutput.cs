using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Runtime.Spec;

namespace Runtime.Container;

/// <summary>`state` and `list` output, byte-compatible with runc's: callers parse it.</summary>
internal static class StateOutput
{
    /// <summary>`state`: two-space indented JSON, no trailing newline.</summary>
    public static string State(ContainerStateView view) =>
        JsonSerializer.Serialize(view, StateOutputJsonContext.Default.ContainerStateView);

    /// <summary>`list --format json`: one compact array ("null"-free: an empty list is []).</summary>
    public static string ListJson(List<ContainerStateView> views) =>
        JsonSerializer.Serialize(views, SpecJsonContext.Default.ListContainerStateView);

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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true, IndentSize = 2)]
[JsonSerializable(typeof(ContainerStateView))]
internal sealed partial class StateOutputJsonContext : JsonSerializerContext
{
}
