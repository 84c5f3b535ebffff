using NUnit.Framework;
using Runtime.Cli;

namespace Runtime.Tests.Cli;

/// <summary>Parses a command line in-process and checks the outcome.</summary>
internal static class CliAssert
{
    /// <summary>Parses <paramref name="args"/>, expects <paramref name="command"/> to run, returns its options.</summary>
    public static T Invokes<T>(string command, params string[] args) where T : class
    {
        var p = RuntimeCli.Parse(args);
        Assert.That(p.Outcome, Is.EqualTo(CliOutcome.Invoke), $"{string.Join(' ', args)} → {p.Error}");
        Assert.That(p.CommandName, Is.EqualTo(command));
        Assert.That(p.Globals, Is.Not.Null);
        Assert.That(p.Options, Is.TypeOf<T>());
        return (T)p.Options!;
    }

    public static GlobalOptions Globals(params string[] args)
    {
        var p = RuntimeCli.Parse(args);
        Assert.That(p.Outcome, Is.EqualTo(CliOutcome.Invoke), p.Error);
        return p.Globals!;
    }

    /// <summary>Expects a usage error whose message is exactly <paramref name="message"/>.</summary>
    public static CliParse UsageError(string message, params string[] args)
    {
        var p = RuntimeCli.Parse(args);
        Assert.That(p.Outcome, Is.EqualTo(CliOutcome.UsageError), $"{string.Join(' ', args)} should be refused");
        Assert.That(p.Error, Is.EqualTo(message));
        return p;
    }
}
