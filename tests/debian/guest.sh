#!/bin/sh
# The Debian root's network checks, run inside umk by tests/run.sh
# (umk_debian) as root; each "== name" section is compared with
# tests/debian/expected. The scripts sit in /t (written by debugfs).
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
echo "== end"
echo "all sections ran"
