using NUnit.Framework;

namespace Runtime.Bench.Tests;

public class LandmarkTests
{
    // Shaped like `strace -f -ttt -qq` output of our `run` (shortened).
    private static readonly string[] Trace =
    [
        "100 1000.000000 execve(\"/opt/runtime\", [\"/opt/runtime\", \"run\"], 0x7ffc /* 10 vars */) = 0",
        "100 1000.002000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x1}, 88) = 101",
        "100 1000.005000 openat(AT_FDCWD, \"/b/config.json\", O_RDONLY|O_CLOEXEC) = 4",
        "100 1000.006000 memfd_create(\"runtime\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 8",
        "100 1000.008000 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88 <unfinished ...>",
        "102 1000.009000 execve(\"/proc/self/fd/8\", [\"runtime\", \"init\"], 0x55 /* 3 vars */ <unfinished ...>",
        "100 1000.009100 <... clone3 resumed>) = 102",
        "102 1000.010000 unshare(CLONE_NEWNS|CLONE_NEWPID) = 0",
        "102 1000.010500 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 103",
        "103 1000.020000 mount(NULL, \"/\", NULL, MS_REC|MS_SLAVE, NULL) = 0",
        "103 1000.021000 openat(AT_FDCWD, \"/sys/fs/cgroup/memory/x/cgroup.procs\", O_WRONLY|O_CLOEXEC) = 5",
        "103 1000.025000 pivot_root(\".\", \".\") = 0",
        "103 1000.026000 mount(NULL, \"/proc/self/fd/8\", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL) = 0",
        "103 1000.030000 execve(\"/bin/true\", [\"/bin/true\"], 0x55 /* 2 vars */) = 0",
        "103 1000.031000 exit_group(0) = ?",
        "100 1000.035000 exit_group(0) = ?",
    ];

    [Test]
    public void FindsEachStageInTimeOrder()
    {
        var marks = Profile.Landmarks(Trace);
        Assert.That(marks.Select(m => m.What), Is.EqualTo(new[]
        {
            "runtime starts (execve)", "reads config.json", "starts copying itself into a sealed memfd", "spawns the init process",
            "child execs the sealed self-copy (constructor stage next)", "constructor stage: first unshare",
            "child clones again (new pid namespace)", "first mount (managed init is running)", "first cgroup write", "pivot_root",
            "last mount", "execs the container process (/bin/true)", "last process exits",
        }));
        Assert.That(marks[^1].T, Is.EqualTo(1000.035).Within(1e-9));
    }

    [Test]
    public void ThreadCreationIsNotASpawn()
    {
        var marks = Profile.Landmarks(Trace.Take(3));
        Assert.That(marks.Select(m => m.What), Has.None.EqualTo("spawns the init process"));
    }
}
