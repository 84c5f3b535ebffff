using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Runtime.Spec;

/// <summary>
/// Turns a failed parse into a message a person can act on: "config.json: linux.resources.memory.limit:
/// expected integer, got "1g"" or "config.json: invalid JSON at line 3, column 12: unexpected '}'".
/// Runs only after a parse failed, so it may re-read the document.
/// </summary>
internal static class JsonErrors
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64,
    };

    public static RuntimeException Describe(string source, ReadOnlyMemory<byte> json, JsonException ex, JsonTypeInfo root)
    {
        if (IsBlank(json.Span))
            return new RuntimeException($"{source}: empty file (expected a JSON object)");
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            return InvalidUtf8(source, json.Span);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException syntax)
        {
            return new RuntimeException($"{source}: invalid JSON {Where(json.Span, syntax.LineNumber, syntax.BytePositionInLine)}");
        }
        using (doc)
            return new RuntimeException($"{source}: {TypeMismatch(doc.RootElement, ex.Path, root)}");
    }

    /// <summary>Bytes that are not UTF-8 (inside a string; the reader refuses them elsewhere): say where they are.</summary>
    private static RuntimeException InvalidUtf8(string source, ReadOnlySpan<byte> json)
    {
        var chars = new char[json.Length];
        System.Text.Unicode.Utf8.ToUtf16(json, chars, out int valid, out _, replaceInvalidSequences: false);
        int line = 0, lineStart = 0;
        for (int i = 0; i < valid; i++)
            if (json[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        return new RuntimeException($"{source}: invalid UTF-8 at line {line + 1}, column {valid - lineStart + 1} (byte 0x{json[Math.Min(valid, json.Length - 1)]:x2})");
    }

    private static bool IsBlank(ReadOnlySpan<byte> json)
    {
        foreach (byte b in json)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
                return false;
        return true;
    }

    /// <summary>"at line 3, column 12: unexpected '}'" from the reader's 0-based line and byte position.</summary>
    private static string Where(ReadOnlySpan<byte> json, long? line, long? bytePos)
    {
        if (line == null || bytePos == null)
            return "";
        long offset = 0;
        for (long l = 0; l < line && offset < json.Length; offset++)
            if (json[(int)offset] == '\n')
                l++;
        offset += bytePos.Value;
        var at = $"at line {line + 1}, column {bytePos + 1}";
        if (offset >= json.Length)
            return at + ": unexpected end of file";
        byte c = json[(int)offset];
        if (offset == 0 && json.StartsWith((ReadOnlySpan<byte>)[0xef, 0xbb, 0xbf]))
            return at + ": the file starts with a byte order mark (JSON must be plain UTF-8)";
        if (c is (byte)'[' or (byte)'{' && Depth(json[..(int)offset]) >= DocumentOptions.MaxDepth)
            return $"{at}: nested deeper than {DocumentOptions.MaxDepth} levels";
        return c is >= 0x21 and < 0x7f ? $"{at}: unexpected '{(char)c}'" : $"{at}: unexpected byte 0x{c:x2}";
    }

    /// <summary>How many arrays and objects are open at the end of <paramref name="json"/>.</summary>
    private static int Depth(ReadOnlySpan<byte> json)
    {
        int depth = 0;
        bool inString = false, escaped = false;
        foreach (byte b in json)
        {
            if (inString)
            {
                if (escaped) escaped = false;
                else if (b == '\\') escaped = true;
                else if (b == '"') inString = false;
            }
            else if (b == '"') inString = true;
            else if (b is (byte)'[' or (byte)'{') depth++;
            else if (b is (byte)']' or (byte)'}') depth--;
        }
        return depth;
    }

    /// <summary>Follows System.Text.Json's path ("$.mounts[2].options[0]", "$.linux.sysctl['a.b']") through
    /// the model's metadata to the expected type, and through the document to the value found.</summary>
    private static string TypeMismatch(JsonElement element, string? jsonPath, JsonTypeInfo type)
    {
        var shown = new StringBuilder();
        bool found = true;
        foreach (var (name, index) in Segments(jsonPath))
        {
            if (name != null)
            {
                if (type.Kind == JsonTypeInfoKind.Dictionary)
                {
                    shown.Append('[').Append(Validation.Checks.Quote(name)).Append(']');
                    type = type.Options.GetTypeInfo(type.ElementType!);
                }
                else
                {
                    var prop = type.Properties.FirstOrDefault(p => p.Name == name);
                    if (prop == null)
                        return Fallback(jsonPath);
                    if (shown.Length > 0)
                        shown.Append('.');
                    shown.Append(name);
                    type = type.Options.GetTypeInfo(prop.PropertyType);
                }
                found = found && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out element);
            }
            else
            {
                if (type.ElementType == null)
                    return Fallback(jsonPath);
                shown.Append('[').Append(index).Append(']');
                type = type.Options.GetTypeInfo(type.ElementType);
                found = found && element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength();
                if (found)
                    element = element[index];
            }
        }
        var prefix = shown.Length > 0 ? shown + ": " : "";
        var expected = Words(type);
        if (!found)
            return $"{prefix}expected {expected}";
        return prefix + Mismatch(expected, Nullable.GetUnderlyingType(type.Type) ?? type.Type, element);
    }

    private static string Mismatch(string expected, Type clr, JsonElement value)
    {
        var raw = value.GetRawText();
        if (value.ValueKind == JsonValueKind.Number && Range(clr) is var (min, max))
        {
            bool integral = !raw.AsSpan().ContainsAny('.', 'e', 'E');
            if (integral && !(raw.StartsWith('-') && min == "0"))
                return $"{raw} is out of range for {expected} ({min} to {max})";
        }
        if (value.ValueKind == JsonValueKind.String && clr == typeof(string))
            return $"{Shorten(raw)} is not a valid string (an escape that is not a Unicode character?)";
        return $"expected {expected}, got {Describe(value.ValueKind, raw)}";
    }

    private static string Describe(JsonValueKind kind, string raw) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => Shorten(raw),
    };

    private static string Shorten(string raw) => raw.Length <= 80 ? raw : raw[..77] + "...";

    private static string Words(JsonTypeInfo info)
    {
        var t = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (t == typeof(string)) return "string";
        if (t == typeof(bool)) return "boolean";
        if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte)) return "integer";
        if (t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(byte)) return "unsigned integer";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "number";
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "array",
            _ => "object",
        };
    }

    private static (string Min, string Max)? Range(Type t) =>
        t == typeof(int) ? (int.MinValue.ToString(), int.MaxValue.ToString())
        : t == typeof(long) ? (long.MinValue.ToString(), long.MaxValue.ToString())
        : t == typeof(short) ? (short.MinValue.ToString(), short.MaxValue.ToString())
        : t == typeof(uint) ? ("0", uint.MaxValue.ToString())
        : t == typeof(ulong) ? ("0", ulong.MaxValue.ToString())
        : t == typeof(ushort) ? ("0", ushort.MaxValue.ToString())
        : null;

    private static string Fallback(string? jsonPath) => $"{jsonPath ?? "$"}: invalid value";

    /// <summary>"$.a.b[2]['c.d']" → (a), (b), [2], (c.d).</summary>
    internal static IEnumerable<(string? Name, int Index)> Segments(string? path)
    {
        if (string.IsNullOrEmpty(path))
            yield break;
        int i = path[0] == '$' ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                yield return (path[(i + 1)..end], 0);
                i = end;
            }
            else if (path.Length > i + 1 && path[i] == '[' && path[i + 1] == '\'')
            {
                int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) yield break;
                yield return (path[(i + 2)..end], 0);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i + 1);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int index)) yield break;
                yield return (null, index);
                i = end + 1;
            }
            else
                yield break;
        }
    }
}
