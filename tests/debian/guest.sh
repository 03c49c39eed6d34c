#!/bin/sh
# The Debian root's checks (networking, issue 11; a Debian system that
# works, issue 12), run inside umk by tests/run.sh (umk_debian) as root;
# each "== name" section is compared with tests/debian/expected. The
# scripts sit in /t (written by debugfs).
cd /tmp

echo "== hostname"
hostname
uname -n
python3 -c 'import socket; print(socket.gethostname())'
getent hosts umk

echo "== su"
su nobody -s /bin/sh -c id 2>&1

echo "== useradd"
useradd -m tester 2>&1 && id tester && stat -c '%U %G %a' /home/tester

echo "== asyncio"
python3 /t/asyncio_unix.py 2>&1

echo "== multiprocessing"
python3 /t/multiprocessing_mgr.py 2>&1

echo "== http"
python3 /t/http_local.py 2>&1

echo "== getaddrinfo"
python3 - <<'PY' 2>&1
import socket
for fam, typ, proto, _, addr in socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM):
    print(fam.name, addr[0], addr[1])
PY

echo "== ip_addr"
ip addr 2>&1

echo "== ip_link_set"
ip link set lo down && ip -br link
ip link set lo up && ip -br link
su nobody -s /bin/sh -c 'ip -br link; ip link set lo down' 2>&1
ip -br link

echo "== ss"
python3 - <<'PY' 2>&1
import os, socket
t = socket.socket()
t.bind(("127.0.0.1", 8123))
t.listen(5)
u = socket.socket(socket.AF_UNIX)
u.bind("/tmp/ss.sock")
u.listen(1)
# ss falls back to /proc/net when NETLINK_SOCK_DIAG is missing.
os.system("ss -Htln 2>/dev/null | awk '{print $1, $4}'")
os.system("ss -Hxl 2>/dev/null | awk '{print $1, $2, $5}'")
os.system("busybox netstat -tln | tail -n +3 | awk '{print $1, $4, $6}'")
PY
# A package built here, installed and removed with dpkg. gzip, not xz:
# dpkg-deb's xz runs threads whose exit can still crash umk (a thread
# exit racing its group's exit, kernel/exit.c); back to xz once fixed.
echo "== dpkg"
mkpkg() {	# mkpkg NAME TEXT: /tmp/NAME_1.0_all.deb with /usr/share/NAME/f
	mkdir -p "/tmp/$1/DEBIAN" "/tmp/$1/usr/share/$1"
	printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: umk <umk@example.org>\nDescription: umk test package\n' "$1" > "/tmp/$1/DEBIAN/control"
	echo "$2" > "/tmp/$1/usr/share/$1/f"
	dpkg-deb -Zgzip --root-owner-group -b "/tmp/$1" "/tmp/$1_1.0_all.deb" > /dev/null 2>&1
}
mkpkg umktest hello-from-deb; echo "build=$?"
dpkg -i /tmp/umktest_1.0_all.deb > /tmp/dpkg.out 2>&1; echo "install=$?"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' umktest
cat /usr/share/umktest/f
dpkg -r umktest > /tmp/dpkg.out 2>&1; echo "remove=$?"
[ -e /usr/share/umktest/f ] || echo "file gone"

# apt: a file: archive (no network: only this source), and a local .deb.
echo "== apt"
mkpkg umkrepo hello-from-repo
mkdir -p /tmp/repo && mv /tmp/umkrepo_1.0_all.deb /tmp/repo/
deb=/tmp/repo/umkrepo_1.0_all.deb
size=$(stat -c %s $deb)
sum=$(sha256sum $deb | cut -d' ' -f1)
{ dpkg-deb -f $deb; echo "Filename: ./umkrepo_1.0_all.deb"
  echo "Size: $size"; echo "SHA256: $sum"; echo; } > /tmp/repo/Packages
echo 'deb [trusted=yes] file:/tmp/repo ./' > /tmp/umk-local.list
apto="-o Dir::Etc::sourcelist=/tmp/umk-local.list -o Dir::Etc::sourceparts=-"
apt-get $apto update > /tmp/apt.out 2>&1; echo "update=$?"
apt-get $apto install -y umkrepo > /tmp/apt.out 2>&1; echo "install=$?"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' umkrepo
cat /usr/share/umkrepo/f
mkpkg umkfile hello-from-file
apt-get $apto install -y /tmp/umkfile_1.0_all.deb > /tmp/apt.out 2>&1; echo "local=$?"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' umkfile

echo "== sqlite"
sqlite3 /root/plain.db 'create table t(x); insert into t values(1),(2); select sum(x) from t;' 2>&1
python3 /t/sqlite_wal.py 2>&1

echo "== flock"
flock /tmp/lk -c 'echo inside'
flock /tmp/lk -c 'flock -n /tmp/lk -c "echo got it" || echo busy'
flock -s /tmp/lk -c 'flock -s -n /tmp/lk -c "echo shared twice"'
python3 -c 'import fcntl; f = open("/tmp/lf", "w"); fcntl.lockf(f, fcntl.LOCK_EX); print("lockf ok")' 2>&1

echo "== selectors"
python3 /t/selectors_eventfd.py 2>&1

# ls -l asks every file for its ACL and SELinux label: no errors.
echo "== ls"
ls -l / /usr/bin /proc/self /dev /dev/pts /tmp > /tmp/ls.out 2>&1; echo "rc=$?"
grep -ci 'not implemented\|not supported' /tmp/ls.out

echo "== xattr"
echo x > /root/xf
setfattr -n user.a -v bee /root/xf && getfattr --absolute-names -d /root/xf
echo x > /tmp/xf
setfattr -n user.t -v tm /tmp/xf && getfattr --absolute-names -n user.t /tmp/xf
cp -a /root/xf /root/xf2 && getfattr --absolute-names -d /root/xf2
tar --xattrs -cf /tmp/x.tar -C /root xf && mkdir /tmp/xt &&
	tar --xattrs --xattrs-include='*' -xf /tmp/x.tar -C /tmp/xt &&
	getfattr --absolute-names -d /tmp/xt/xf
python3 -c 'import os; print(os.listxattr("/root/xf"))'
setfattr -x user.a /root/xf && getfattr --absolute-names -d /root/xf; echo "after remove=$?"

echo "== script"
script -qc true /dev/null; echo "rc=$?"
script -qc 'tty; echo in-pty' /dev/null

echo "== ipcs"
ipcmk -M 4096 > /dev/null && ipcmk -S 2 > /dev/null && ipcmk -Q > /dev/null
echo "shm $(ipcs -m | grep -c '^0x') sem $(ipcs -s | grep -c '^0x') msg $(ipcs -q | grep -c '^0x')"
ipcrm -a; echo "left $(ipcs | grep -c '^0x')"

# tmux inside the guest: a detached session on a pty, keys sent to its
# shell, the pane read back; the pane's tty is what ps shows as its TT.
echo "== tmux"
# wait_pane TEXT: until a line of the pane is TEXT, or the shell's prompt
# and TEXT (keys sent before the shell's first prompt echo first), bounded.
wait_pane() {
	for i in $(seq 100); do
		tmux capture-pane -p -t t 2>/dev/null | grep -qE "^(# )?$1\$" && return 0
		sleep 0.1
	done
	echo "pane never showed $1"; tmux capture-pane -p -t t 2>&1 | head -5
	return 1
}
tmux new-session -d -s t -x 80 -y 24 'sh'; echo "new-session=$?"
tmux send-keys -t t 'echo pane-$((6*7))' Enter
wait_pane pane-42 && echo "pane ran the keys"
tmux send-keys -t t 't=$(tty); [ "${t#/dev/}" = "$(ps -o tty= -p $$ | tr -d " ")" ] && echo tty-is-ps-$((2*2))' Enter
wait_pane tty-is-ps-4 && echo "pane tty matches ps"
tmux list-sessions -F '#{session_name} #{session_windows} #{pane_dead}'
tmux kill-server; echo "kill-server=$?"

echo "== end"
echo "all sections ran"
