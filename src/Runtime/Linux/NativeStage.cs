using System.Runtime.InteropServices;

namespace Runtime.Linux;

/// <summary>The C constructor stage (src/native/nsexec.c), linked statically into the AOT binary.</summary>
internal static partial class NativeStage
{
    /// <summary>Must equal NSEXEC_ABI_VERSION in nsexec.h: both sides of the init socket speak one format.</summary>
    public const int AbiVersion = 1;

    [LibraryImport("nsexec", EntryPoint = "nsexec_abi_version")]
    public static partial int NativeAbiVersion();

    /// <summary>The init socket the constructor took over, or -1 when this process is not an init.</summary>
    [LibraryImport("nsexec", EntryPoint = "nsexec_initpipe")]
    public static partial int InitPipe();
}
