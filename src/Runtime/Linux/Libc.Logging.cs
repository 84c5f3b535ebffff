using System.Runtime.InteropServices;

namespace Runtime.Linux;

/// <summary>Wall-clock time in the local zone for log lines (glibc reads TZ or /etc/localtime once).</summary>
internal static unsafe partial class Libc
{
    /// <summary>glibc's struct tm (x86-64/arm64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tm
    {
        public int Sec, Min, Hour, Mday, Mon, Year, Wday, Yday, Isdst;
        public long Gmtoff;
        public nint Zone;
    }

    public const int CLOCK_REALTIME = 0;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec, Nsec;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    public static partial int ClockGetTime(int clock, Timespec* ts);

    [LibraryImport("libc", EntryPoint = "time")]
    public static partial long Time(long* t);

    [LibraryImport("libc", EntryPoint = "localtime_r")]
    public static partial Tm* LocaltimeR(long* time, Tm* result);
}
