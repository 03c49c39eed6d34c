# sqlite3 in WAL mode with two processes: while this one holds a write
# transaction, a reader in another process (the sqlite3 CLI) sees the
# last commit and a second writer is refused at once (fcntl locks on the
# database and its -shm file); after the commit both see it.
import sqlite3
import subprocess

DB = "/root/wal.db"


def cli(sql):
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 0", DB, sql],
                       capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    return out if r.returncode == 0 else "rc=%d %s" % (r.returncode, out)


c = sqlite3.connect(DB, isolation_level=None)
print("journal_mode:", c.execute("pragma journal_mode=wal").fetchone()[0])
c.execute("create table t(x)")
c.execute("insert into t values(1)")
c.execute("begin immediate")
c.execute("insert into t values(2)")
print("reader during write:", cli("select count(*) from t;"))
print("second writer:", "locked" if "locked" in cli(
    "begin immediate; insert into t values(3); commit;") else "not locked")
c.execute("commit")
print("reader after commit:", cli("select count(*) from t;"))
print("second writer after commit:", cli(
    "insert into t values(3); select sum(x) from t;"))
c.close()
print("mode persists:", cli("pragma journal_mode;"))
