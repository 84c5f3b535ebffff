using System.Runtime.InteropServices;
using System.Text;
using Runtime.Linux;

namespace Runtime.Cgroups.Devices;

/// <summary>
/// Loads a device filter with bpf(BPF_PROG_LOAD) and attaches it to a cgroup v2 directory as its only
/// BPF_CGROUP_DEVICE program. Attached with BPF_F_ALLOW_MULTI (so programs of ancestors, e.g. systemd's, keep
/// working); a program already there (from create, on update) is swapped atomically with BPF_F_REPLACE, or,
/// where that is missing, detached after the new one is attached: there is never a moment without a filter.
/// </summary>
internal static unsafe class DeviceProgramLoader
{
    public static void Attach(string cgroupDir, IReadOnlyList<BpfInstruction> program)
    {
        int dirFd = Libc.Check(Libc.Open(cgroupDir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0), $"open {cgroupDir}");
        int progFd = -1;
        var oldFds = new List<int>();
        try
        {
            progFd = Load(program);
            foreach (var id in QueryAttached(dirFd))
            {
                int fd = GetFdById(id);
                if (fd >= 0) oldFds.Add(fd);
                // A program we may not open (LSM policy) cannot be ours; leave it.
                else if (Libc.LastErrno is not (Errnos.EPERM or Errnos.EACCES or Errnos.ENOENT))
                    throw new SyscallException($"bpf(BPF_PROG_GET_FD_BY_ID {id}) for {cgroupDir}", Libc.LastErrno);
            }

            if (oldFds.Count == 1 && AttachProgram(dirFd, progFd, Libc.BPF_F_ALLOW_MULTI | Libc.BPF_F_REPLACE, oldFds[0]) == 0)
                return;
            if (AttachProgram(dirFd, progFd, Libc.BPF_F_ALLOW_MULTI, -1) != 0)
                throw new SyscallException($"bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) on {cgroupDir}", Libc.LastErrno);
            foreach (var old in oldFds)
                if (Detach(dirFd, old) != 0 && Libc.LastErrno != Errnos.ENOENT)
                    throw new SyscallException($"bpf(BPF_PROG_DETACH, BPF_CGROUP_DEVICE) of the previous device filter on {cgroupDir}", Libc.LastErrno);
        }
        finally
        {
            foreach (var fd in oldFds) Libc.Close(fd);
            if (progFd >= 0) Libc.Close(progFd);
            Libc.Close(dirFd);
        }
    }

    /// <summary>The ids of the BPF_CGROUP_DEVICE programs attached directly to the cgroup.</summary>
    public static List<uint> QueryAttached(int dirFd)
    {
        var ids = new uint[64];
        var attr = stackalloc byte[64];
        for (int attempt = 0; attempt < 4; attempt++)
        {
            new Span<byte>(attr, 64).Clear();
            *(uint*)(attr + 0) = (uint)dirFd;                  // target_fd
            *(uint*)(attr + 4) = Libc.BPF_CGROUP_DEVICE;        // attach_type
            fixed (uint* p = ids)
            {
                *(ulong*)(attr + 16) = (ulong)p;                // prog_ids
                *(uint*)(attr + 24) = (uint)ids.Length;          // prog_cnt
                int rc = Libc.Bpf(Libc.BPF_PROG_QUERY, attr, 64);
                uint count = *(uint*)(attr + 24);
                if (rc == 0) return ids.Take((int)count).ToList();
                if (Libc.LastErrno != Errnos.ENOSPC) throw new SyscallException("bpf(BPF_PROG_QUERY, BPF_CGROUP_DEVICE)", Libc.LastErrno);
                ids = new uint[count];
            }
        }
        throw new RuntimeException("bpf(BPF_PROG_QUERY, BPF_CGROUP_DEVICE): the list of attached programs kept changing");
    }

    private static int Load(IReadOnlyList<BpfInstruction> program)
    {
        var code = BpfInstruction.Encode(program);
        var license = Encoding.ASCII.GetBytes(DeviceFilter.License + "\0");
        int fd = LoadWithLog(code, license, program.Count, null);
        if (fd >= 0) return fd;
        int errno = Libc.LastErrno;
        // Load again with the verifier's log so the error says why (the program is ours: a rejection is a bug).
        var log = new byte[64 * 1024];
        LoadWithLog(code, license, program.Count, log);
        var text = Encoding.UTF8.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0))).Trim();
        throw new RuntimeException($"linux.resources.devices: bpf(BPF_PROG_LOAD) of the device filter: {Errnos.Describe(errno)}" +
                                   (text.Length > 0 ? $"; verifier: {text}" : ""));
    }

    private static int LoadWithLog(byte[] code, byte[] license, int count, byte[]? log)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        fixed (byte* c = code, l = license, lg = log)
        {
            *(uint*)(attr + 0) = Libc.BPF_PROG_TYPE_CGROUP_DEVICE; // prog_type
            *(uint*)(attr + 4) = (uint)count;                     // insn_cnt
            *(ulong*)(attr + 8) = (ulong)c;                        // insns
            *(ulong*)(attr + 16) = (ulong)l;                       // license
            if (log != null)
            {
                *(uint*)(attr + 24) = 1;                           // log_level
                *(uint*)(attr + 28) = (uint)log.Length;            // log_size
                *(ulong*)(attr + 32) = (ulong)lg;                  // log_buf
            }
            var name = "runtime_devices"u8;                        // prog_name (16 bytes incl. NUL)
            name.CopyTo(new Span<byte>(attr + 48, 15));
            return Libc.Bpf(Libc.BPF_PROG_LOAD, attr, 128);
        }
    }

    private static int GetFdById(uint id)
    {
        var attr = stackalloc byte[16];
        new Span<byte>(attr, 16).Clear();
        *(uint*)attr = id;
        return Libc.Bpf(Libc.BPF_PROG_GET_FD_BY_ID, attr, 16);
    }

    private static int AttachProgram(int dirFd, int progFd, uint flags, int replaceFd)
    {
        var attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)(attr + 0) = (uint)dirFd;               // target_fd
        *(uint*)(attr + 4) = (uint)progFd;              // attach_bpf_fd
        *(uint*)(attr + 8) = Libc.BPF_CGROUP_DEVICE;    // attach_type
        *(uint*)(attr + 12) = flags;                     // attach_flags
        if (replaceFd >= 0) *(uint*)(attr + 16) = (uint)replaceFd; // replace_bpf_fd
        return Libc.Bpf(Libc.BPF_PROG_ATTACH, attr, 32);
    }

    private static int Detach(int dirFd, int progFd)
    {
        var attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)(attr + 0) = (uint)dirFd;
        *(uint*)(attr + 4) = (uint)progFd;
        *(uint*)(attr + 8) = Libc.BPF_CGROUP_DEVICE;
        return Libc.Bpf(Libc.BPF_PROG_DETACH, attr, 32);
    }
}
