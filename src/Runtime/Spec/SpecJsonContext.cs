using System.Text.Json.Serialization;

namespace Runtime.Spec;

/// <summary>All JSON the runtime reads or writes, source-generated (no reflection: native AOT).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(OciState))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(List<int>))]
internal sealed partial class SpecJsonContext : JsonSerializerContext
{
}

/// <summary>The same types pretty-printed with tabs, the way runc prints `spec`, `state` and `features`.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true, IndentCharacter = '\t', IndentSize = 1)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Features))]
internal sealed partial class SpecIndentedJsonContext : JsonSerializerContext
{
}

/// <summary>`features` output: runc encodes it with four-space indentation (json.Encoder.SetIndent("", "    ")).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true, IndentCharacter = ' ', IndentSize = 4)]
[JsonSerializable(typeof(Features))]
internal sealed partial class FeaturesJsonContext : JsonSerializerContext
{
}
