using System.Buffers.Binary;
using System.Text;

namespace Runtime.Process;

/// <summary>What the C constructor stage does before .NET starts in the child: the attributes of
/// NS_MSG_BOOTSTRAP (src/native/nsexec.h).</summary>
internal sealed class BootstrapMessage
{
    private const ushort AttrCloneFlags = 1, AttrNsPath = 2, AttrTimensOffsets = 3;

    /// <summary>CLONE_NEW* flags of namespaces to create.</summary>
    public uint CloneFlags { get; set; }
    /// <summary>Namespaces to join by path (the stage joins the user namespace first).</summary>
    public List<(uint Type, string Path)> Join { get; } = new();
    /// <summary>/proc/self/timens_offsets text for a new time namespace.</summary>
    public string? TimensOffsets { get; set; }

    public byte[] Encode()
    {
        var buf = new List<byte>(256);
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, CloneFlags);
        Attr(buf, AttrCloneFlags, u32);
        foreach (var (type, path) in Join)
        {
            var data = new byte[4 + Encoding.UTF8.GetByteCount(path) + 1];
            BinaryPrimitives.WriteUInt32LittleEndian(data, type);
            Encoding.UTF8.GetBytes(path, data.AsSpan(4));
            Attr(buf, AttrNsPath, data);
        }
        if (TimensOffsets != null)
            Attr(buf, AttrTimensOffsets, Encoding.UTF8.GetBytes(TimensOffsets + "\0"));
        return buf.ToArray();
    }

    private static void Attr(List<byte> buf, ushort type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)data.Length);
        buf.AddRange(header);
        buf.AddRange(data);
        for (int pad = (4 - data.Length % 4) % 4; pad > 0; pad--)
            buf.Add(0);
    }
}
