# gdb helpers for debugging a live umk, in the spirit of Linux's
# scripts/gdb (lx-ps, lx-dmesg, ...). Load them with
#
#     (gdb) source scripts/gdb/umk.py
#
# Commands:
#   umk-ps          guest tasks: pid, tgid, host tid, state, comm
#   umk-dmesg       the printk ring (kernel/printk.c)
#   umk-task PID    the kernel stack backtrace of a task: the current one
#                   as it runs, a sleeping one from the frame switch_to
#                   saved on its kernel stack (arch/um/kernel/switch.S)
#   umk-files PID   its fd table (kernel/fs/file_table.c)
#   umk-mounts      the mount list (kernel/fs/namespace.c)
#
# docs/debugging.md walks through a session. Works with gdb 13 (Debian 12).

import gdb

STATE_LETTERS = {
    "TASK_RUNNING": "R",
    "TASK_WAIT_HOST": "R",      # its host thread runs guest code
    "TASK_INTERRUPTIBLE": "S",
    "TASK_UNINTERRUPTIBLE": "D",
    "TASK_STOPPED": "T",
    "TASK_DEAD": "Z",
}
DCACHE_PSEUDO = 0x100
MAX_WALK = 4096                 # bound on any list or chain walked


def offset_of(type_name, member):
    return int(gdb.parse_and_eval("(unsigned long)&((%s *)0)->%s"
                                  % (type_name, member)))


def list_entries(head_addr, type_name, member):
    """The entries of a struct list_head at head_addr (Linux list.h)."""
    ptr_type = gdb.lookup_type(type_name).pointer()
    off = offset_of(type_name, member)
    node = gdb.Value(head_addr).cast(
        gdb.lookup_type("struct list_head").pointer())
    pos = node["next"]
    for _ in range(MAX_WALK):
        if int(pos) == int(head_addr):
            return
        yield gdb.Value(int(pos) - off).cast(ptr_type)
        pos = pos["next"]


def tasks():
    return list_entries(int(gdb.parse_and_eval("&task_list")),
                        "struct task", "tasks")


def find_task(pid):
    for t in tasks():
        if int(t["pid"]) == pid and str(t["state"]) != "TASK_DEAD":
            return t
    raise gdb.GdbError("no live task with pid %d" % pid)


def state_letter(t):
    return STATE_LETTERS.get(str(t["state"]), "?")


def comm(t):
    return t["comm"].string(length=16).split("\0")[0]


def parse_pid(arg):
    try:
        return int(gdb.parse_and_eval(arg))
    except (gdb.error, ValueError):
        raise gdb.GdbError("usage: a guest pid")


def kernel_thread():
    """umk's kernel thread: the main thread of the process."""
    inf = gdb.selected_inferior()
    for th in inf.threads():
        if th.ptid[1] == inf.pid:
            return th
    raise gdb.GdbError("umk is not running")


def d_path(path):
    """The absolute path of a struct path, as d_path in namespace.c."""
    d, m = path["dentry"], path["mnt"]
    if not int(d) or not int(m):
        return "?"
    if int(d["d_flags"]) & DCACHE_PSEUDO:
        return d["d_name"].string()
    parts = []
    for _ in range(MAX_WALK):
        if int(d) == int(m["mnt_root"]) or int(d) == int(d["d_parent"]):
            if int(m["mnt_parent"]) == int(m):
                break
            d, m = m["mnt_mountpoint"], m["mnt_parent"]
            continue
        parts.append(d["d_name"].string())
        d = d["d_parent"]
    return "/" + "/".join(reversed(parts))


class UmkPs(gdb.Command):
    """List guest tasks: pid, tgid, host tid, state, comm.
A '>' marks the task whose kernel stack is running (current)."""

    def __init__(self):
        super().__init__("umk-ps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        cur = int(gdb.parse_and_eval("current"))
        gdb.write("  %6s %6s %8s %s %s\n"
                  % ("PID", "TGID", "HOSTTID", "S", "COMM"))
        for t in tasks():
            gdb.write("%s %6d %6d %8d %s %s\n"
                      % (">" if int(t) == cur else " ", int(t["pid"]),
                         int(t["tgid"]), int(t["host_tid"]),
                         state_letter(t), comm(t)))


class UmkDmesg(gdb.Command):
    """Print the kernel log ring (kernel/printk.c)."""

    def __init__(self):
        super().__init__("umk-dmesg", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        def static(name):
            sym = gdb.lookup_static_symbol(name)
            if sym is None:
                raise gdb.GdbError("no symbol %s: is umk built with -g?"
                                   % name)
            return sym.value()
        buf = static("log_buf")
        size = buf.type.sizeof
        head, used = int(static("log_head")), int(static("log_len"))
        mem = gdb.selected_inferior().read_memory(int(buf.address), size)
        data = bytes(mem)
        text = data[head:min(head + used, size)]
        if head + used > size:
            text += data[:head + used - size]
        gdb.write(text.decode("utf-8", "replace"))


REGS = ("rip", "rsp", "rbp", "rbx", "r12", "r13", "r14", "r15")


class UmkTask(gdb.Command):
    """Backtrace of the kernel stack of guest task PID.
The current task's is the kernel thread's own stack. A task that is
switched out sleeps in __switch_to, which pushed rbp, rbx, r12-r15 and
left its return address above them; the frame is rebuilt from task->ksp
in the kernel thread's registers for the backtrace and then put back."""

    def __init__(self):
        super().__init__("umk-task", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        t = find_task(parse_pid(arg))
        gdb.write("pid %d (%s) state %s, host tid %d\n"
                  % (int(t["pid"]), comm(t), state_letter(t),
                     int(t["host_tid"])))
        kthread = kernel_thread()
        selected = gdb.selected_thread()
        kthread.switch()
        try:
            if int(t) == int(gdb.parse_and_eval("current")):
                gdb.execute("backtrace")
            else:
                self.sleeping_backtrace(t)
        finally:
            if selected is not None and selected.is_valid():
                selected.switch()

    @staticmethod
    def sleeping_backtrace(t):
        if not int(t["kstack"]) or not int(t["ksp"]):
            raise gdb.GdbError("task has no kernel stack")
        ulong_p = gdb.lookup_type("unsigned long").pointer()
        sp = t["ksp"].cast(ulong_p)
        r15, r14, r13, r12, rbx, rbp, rip = [int(sp[i]) for i in range(7)]
        frame = {"rip": rip, "rsp": int(sp) + 7 * 8, "rbp": rbp,
                 "rbx": rbx, "r12": r12, "r13": r13, "r14": r14,
                 "r15": r15}
        gdb.execute("frame 0", to_string=True)
        saved = {r: int(gdb.parse_and_eval("(unsigned long)$" + r))
                 for r in REGS}
        try:
            for r in REGS:
                gdb.execute("set $%s = (unsigned long)%#x" % (r, frame[r]))
            gdb.execute("backtrace")
        finally:
            gdb.execute("frame 0", to_string=True)
            for r in REGS:
                gdb.execute("set $%s = (unsigned long)%#x" % (r, saved[r]))


class UmkFiles(gdb.Command):
    """The fd table of guest task PID: fd, flags, position, path."""

    def __init__(self):
        super().__init__("umk-files", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = find_task(parse_pid(arg))
        files = t["files"]
        if not int(files):
            raise gdb.GdbError("task has no fd table")
        gdb.write("%4s %8s %10s %s\n" % ("FD", "FLAGS", "POS", "PATH"))
        table = files["fd"]
        for i in range(min(int(files["max_fds"]), 1 << 20)):
            f = table[i]["file"]
            if not int(f):
                continue
            gdb.write("%4d %8o %10d %s%s\n"
                      % (i, int(f["f_flags"]), int(f["f_pos"]),
                         d_path(f["f_path"]),
                         " (cloexec)" if bool(table[i]["cloexec"]) else ""))


class UmkMounts(gdb.Command):
    """The mount list: device, mount point, type, flags."""

    def __init__(self):
        super().__init__("umk-mounts", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        head = int(gdb.parse_and_eval("&mount_list"))
        for m in list_entries(head, "struct vfsmount", "mnt_list"):
            sb = m["mnt_sb"]
            ro = (int(m["mnt_flags"]) & 1) or (int(sb["s_flags"]) & 1)
            where = {"mnt": m["mnt_parent"], "dentry": m["mnt_mountpoint"]}
            point = "/" if int(m["mnt_parent"]) == int(m) else d_path(where)
            gdb.write("%s %s %s %s\n"
                      % (m["mnt_devname"].string(), point,
                         sb["s_type"]["name"].string(),
                         "ro" if ro else "rw"))


UmkPs()
UmkDmesg()
UmkTask()
UmkFiles()
UmkMounts()
