using System.Runtime.InteropServices;
using Runtime.Linux;

namespace Runtime.Seccomp;

/// <summary>Whether libseccomp.so.2 can be loaded here, asked before the first libseccomp call so a
/// host without it gets a sentence instead of a DllNotFoundException.</summary>
internal static unsafe class Libseccomp
{
    private static readonly Lazy<bool> Loadable = new(() => NativeLibrary.TryLoad(Libc.LibseccompSo, out _));

    public static bool IsAvailable => Loadable.Value;

    /// <summary>"2.5.4", or null without the library.</summary>
    public static string? Version
    {
        get
        {
            if (!IsAvailable) return null;
            var v = Libc.ScmpGetVersion();
            return v == null ? null : $"{v->Major}.{v->Minor}.{v->Micro}";
        }
    }

    public static void Require(string field)
    {
        if (!IsAvailable)
            throw new RuntimeException($"{field}: seccomp needs {Libc.LibseccompSo} (Debian/Ubuntu package libseccomp2, " +
                                       "Fedora libseccomp), which is not installed on this host");
    }
}
