using System.Runtime.InteropServices;
using System.Text;

namespace Runtime.Process;

/// <summary>A NUL-terminated argv/envp block in unmanaged memory for posix_spawn and execve.</summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly byte** _array;
    private readonly int _count;

    public NativeStrings(IReadOnlyList<string> values)
    {
        _count = values.Count;
        _array = (byte**)NativeMemory.AllocZeroed((nuint)(_count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < _count; i++)
            _array[i] = Utf8(values[i]);
    }

    public byte** Pointer => _array;

    public static byte* Utf8(string s)
    {
        int len = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)len + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, len));
        p[len] = 0;
        return p;
    }

    public void Dispose()
    {
        for (int i = 0; i < _count; i++)
            NativeMemory.Free(_array[i]);
        NativeMemory.Free(_array);
    }
}
