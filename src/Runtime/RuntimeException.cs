namespace Runtime;

/// <summary>
/// An error meant for the user: its message is printed and logged as is, and the command exits 1.
/// Messages name the field, flag or path and the cause; wording that callers parse follows runc
/// ("container does not exist", "container with given ID already exists", ...).
/// </summary>
public class RuntimeException : Exception
{
    public RuntimeException(string message) : base(message) { }
    public RuntimeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A command that a later piece of work implements: a clear error, never a silent success.</summary>
public sealed class NotImplementedYetException(string command)
    : RuntimeException($"{command}: not implemented yet");
