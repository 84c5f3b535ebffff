using System.Runtime.InteropServices;

namespace Runtime.Linux;

// bpf(2): loading and attaching the cgroup v2 device filter (BPF_PROG_TYPE_CGROUP_DEVICE). glibc has no
// wrapper, so it goes through syscall(2) with the architecture's number.
internal static unsafe partial class Libc
{
    public const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13,
        BPF_PROG_QUERY = 16;
    public const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6;
    public const uint BPF_F_ALLOW_MULTI = 2, BPF_F_REPLACE = 4;

    private static nint SysBpf => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        Architecture.RiscV64 => 280,
        Architecture.LoongArch64 => 280,
        Architecture.Ppc64le => 361,
        Architecture.S390x => 351,
        var a => throw new PlatformNotSupportedException($"bpf(2): no syscall number known for {a}"),
    };

    /// <summary>bpf(cmd, attr, size); returns what the kernel returns (-1 and errno on failure).</summary>
    public static int Bpf(int cmd, void* attr, uint size) => (int)Syscall(SysBpf, cmd, (nint)attr, (nint)size, 0, 0, 0);
}
