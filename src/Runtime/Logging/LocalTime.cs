using Runtime.Linux;

namespace Runtime.Logging;

/// <summary>
/// A wall-clock second in the local zone with its UTC offset: what a log line's "time" carries. From
/// localtime_r rather than DateTimeOffset.Now, whose time-zone machinery is a measurable part of every start.
/// </summary>
/// <param name="Microsecond">-1: to the second, as runc writes; else the line carries microseconds
/// (with --debug, so a profile can time stages; still RFC 3339).</param>
public readonly record struct LocalTime(int Year, int Month, int Day, int Hour, int Minute, int Second, int OffsetSeconds, int Microsecond = -1)
{
    public static unsafe LocalTime Now(bool precise = false)
    {
        if (!precise)
            return FromUnix(Libc.Time(null), -1);
        Libc.Timespec ts;
        Libc.ClockGetTime(Libc.CLOCK_REALTIME, &ts);
        return FromUnix(ts.Sec, (int)(ts.Nsec / 1000));
    }

    /// <summary>Wall-clock nanoseconds since the epoch, for a time taken in another process (init's stages).</summary>
    public static long UnixNanos()
    {
        unsafe
        {
            Libc.Timespec ts;
            Libc.ClockGetTime(Libc.CLOCK_REALTIME, &ts);
            return ts.Sec * 1_000_000_000 + ts.Nsec;
        }
    }

    public static LocalTime FromUnixNanos(long ns) => FromUnix(ns / 1_000_000_000, (int)(ns % 1_000_000_000 / 1000));

    private static unsafe LocalTime FromUnix(long t, int micros)
    {
        Libc.Tm tm;
        if (Libc.LocaltimeR(&t, &tm) == null)
        {
            // No usable zone information: UTC is still a correct time.
            var u = DateTime.UnixEpoch.AddSeconds(t);
            return new LocalTime(u.Year, u.Month, u.Day, u.Hour, u.Minute, u.Second, 0, micros);
        }
        return new LocalTime(tm.Year + 1900, tm.Mon + 1, tm.Mday, tm.Hour, tm.Min, tm.Sec, (int)tm.Gmtoff, micros);
    }

    /// <summary>RFC 3339 to the second (or the microsecond), "Z" for UTC, else ±hh:mm (Go's time.RFC3339, as logrus writes it).</summary>
    public string ToRfc3339()
    {
        Span<char> b = stackalloc char[32];
        int n = 0;
        Digits(b, ref n, Year, 4);
        b[n++] = '-';
        Digits(b, ref n, Month, 2);
        b[n++] = '-';
        Digits(b, ref n, Day, 2);
        b[n++] = 'T';
        Digits(b, ref n, Hour, 2);
        b[n++] = ':';
        Digits(b, ref n, Minute, 2);
        b[n++] = ':';
        Digits(b, ref n, Second, 2);
        if (Microsecond >= 0)
        {
            b[n++] = '.';
            Digits(b, ref n, Microsecond, 6);
        }
        if (OffsetSeconds == 0)
            b[n++] = 'Z';
        else
        {
            b[n++] = OffsetSeconds < 0 ? '-' : '+';
            int minutes = Math.Abs(OffsetSeconds) / 60;
            Digits(b, ref n, minutes / 60, 2);
            b[n++] = ':';
            Digits(b, ref n, minutes % 60, 2);
        }
        return new string(b[..n]);
    }

    private static void Digits(Span<char> b, ref int n, int value, int width)
    {
        for (int i = width - 1; i >= 0; i--, value /= 10)
            b[n + i] = (char)('0' + value % 10);
        n += width;
    }
}
