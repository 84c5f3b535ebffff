using System.Text.RegularExpressions;

namespace Runtime.State;

/// <summary>Container IDs become directory names under the state root: only runc's safe alphabet,
/// never "." or "..", bounded length, so an ID can never name a path outside the root.</summary>
public static partial class ContainerId
{
    public const int MaxLength = 1024;

    [GeneratedRegex(@"^[A-Za-z0-9_+\-][A-Za-z0-9_+.\-]*$")]
    private static partial Regex Valid();

    public static void Validate(string? id)
    {
        if (string.IsNullOrEmpty(id))
            throw new RuntimeException("container id cannot be empty"); // runc's wording
        if (id.Length > MaxLength)
            throw new RuntimeException($"invalid container ID: longer than {MaxLength} characters");
        if (id is "." or ".." || !Valid().IsMatch(id))
            throw new RuntimeException($"invalid container ID format: {id}");
    }
}
