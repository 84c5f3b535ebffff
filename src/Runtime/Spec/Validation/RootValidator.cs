using Runtime.Linux;
using static Runtime.Spec.Validation.Checks;

namespace Runtime.Spec.Validation;

/// <summary>root: path required; with the bundle known, it must name an existing directory.</summary>
internal static class RootValidator
{
    public static void Check(Root? root, ValidationOptions o, ValidationResult r)
    {
        if (root == null)
        {
            r.Problem("root", "required (root.path names the container's root filesystem)");
            return;
        }
        if (string.IsNullOrEmpty(root.Path))
        {
            r.Problem("root.path", "required (the container's root filesystem, relative to the bundle or absolute)");
            return;
        }
        if (HasNul(root.Path))
        {
            r.Problem("root.path", "contains a NUL byte");
            return;
        }
        if (o.BundlePath == null)
            return;
        var full = ResolveRootfs(o.BundlePath, root.Path);
        if (Libc.FstatAt(Libc.AT_FDCWD, full, out var st, 0) != 0)
        {
            int errno = Libc.LastErrno;
            r.Problem("root.path", errno == Errnos.ENOENT
                ? $"{full} does not exist"
                : $"stat {full}: {Errnos.Describe(errno)}");
        }
        else if ((st.Mode & Libc.S_IFMT) != Libc.S_IFDIR)
            r.Problem("root.path", $"{full} is not a directory");
    }

    /// <summary>root.path made absolute: relative paths are relative to the bundle (runc: filepath.Join(bundle, path)).</summary>
    public static string ResolveRootfs(string bundle, string path) =>
        Path.GetFullPath(IsAbsolute(path) ? path : Path.Combine(bundle, path));
}
