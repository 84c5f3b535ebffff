using System.Text.Json;
using Runtime.Container;
using Runtime.Spec;

namespace Runtime.Cli;

// Development dispatcher until the full command line lands.
internal static class RuntimeCli
{
    public static int Run(string[] args)
    {
        try
        {
            var root = "/run/runtime";
            int i = 0;
            if (args.Length > 1 && args[0] == "--root") { root = args[1]; i = 2; }
            if (i >= args.Length) return 1;
            var cmd = args[i];
            var rest = args[(i + 1)..].ToList();
            string? Opt(string name) { int k = rest.IndexOf(name); if (k < 0) return null; var v = rest[k + 1]; rest.RemoveRange(k, 2); return v; }
            bool Flag(string name) => rest.Remove(name);
            switch (cmd)
            {
                case "--version": Console.Out.Write(VersionInfo.Text); return 0;
                case "create":
                {
                    var bundle = Opt("--bundle") ?? "."; var pidFile = Opt("--pid-file"); var cs = Opt("--console-socket");
                    Creator.Create(new CreateRequest(root, rest[0], bundle, ConsoleSocket: cs, PidFile: pidFile));
                    return 0;
                }
                case "run":
                {
                    var bundle = Opt("--bundle") ?? "."; var detach = Flag("--detach"); var keep = Flag("--keep");
                    return Runner.Run(new CreateRequest(root, rest[0], bundle), detach, keep, false);
                }
                case "exec":
                {
                    var detach = Flag("-d"); var procFile = Opt("--process"); var tty = Flag("-t"); var sock = Opt("--console-socket");
                    var id = rest[0];
                    Spec.Process proc;
                    if (procFile != null) proc = JsonSerializer.Deserialize(File.ReadAllBytes(procFile), SpecJsonContext.Default.Process)!;
                    else { using var d = new State.StateStore(root).Open(id); proc = ExecProcess.FromBundle(d.Read().Bundle, new ExecOverrides(rest.Skip(1).ToList(), Tty: tty)); }
                    return Executor.Exec(new ExecRequest(root, id, proc, detach, ConsoleSocket: sock));
                }
                case "start": Starter.Start(root, rest[0]); return 0;
                case "state":
                    Console.Out.Write(StateOutput.State(StateQuery.Get(root, rest[0])));
                    return 0;
                case "list":
                    Console.Out.Write(StateOutput.ListTable(StateQuery.List(root), false));
                    return 0;
                case "kill": { var all = Flag("--all"); Killer.Kill(root, rest[0], rest.Count > 1 ? rest[1] : null, all); return 0; }
                case "delete": { var force = Flag("--force") | Flag("-f"); Deleter.Delete(root, rest[0], force); return 0; }
                default: Console.Error.WriteLine($"runtime: {cmd}: not implemented yet"); return 1;
            }
        }
        catch (RuntimeException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (Linux.SyscallException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
