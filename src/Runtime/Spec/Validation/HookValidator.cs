using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>hooks (config.md "POSIX-platform Hooks"): path absolute, timeout greater than zero.</summary>
internal static class HookValidator
{
    public static void Check(Hooks? hooks, ValidationResult r)
    {
        if (hooks == null)
            return;
        List("hooks.prestart", hooks.Prestart, r);
        List("hooks.createRuntime", hooks.CreateRuntime, r);
        List("hooks.createContainer", hooks.CreateContainer, r);
        List("hooks.startContainer", hooks.StartContainer, r);
        List("hooks.poststart", hooks.Poststart, r);
        List("hooks.poststop", hooks.Poststop, r);
    }

    private static void List(string path, List<Hook>? list, ValidationResult r)
    {
        for (int i = 0; i < (list?.Count ?? 0); i++)
        {
            var h = list![i];
            var at = $"{path}[{i}]";
            if (h == null)
            {
                r.Problem(at, "expected object, got null");
                continue;
            }
            if (string.IsNullOrEmpty(h.Path))
                r.Problem(at + ".path", "required (an absolute path to the hook's program)");
            else if (!IsAbsolute(h.Path))
                r.Problem(at + ".path", $"{Quote(h.Path)} is not an absolute path");
            else
                NoNul(h.Path, at + ".path", r);
            Strings(h.Args, at + ".args", r);
            Strings(h.Env, at + ".env", r);
            if (h.Timeout is <= 0)
                r.Problem(at + ".timeout", $"must be greater than zero (got {h.Timeout})");
        }
    }
}
