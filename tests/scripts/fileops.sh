# File operations: cp, mv, ln, rm, mkdir -p, chmod, touch, test, truncate.
export TZ=UTC0
cd "$(mktemp -d)" || exit 1
mkdir -p a/b/c
echo data > a/b/c/f
cp a/b/c/f g; cat g
cp -R a copy; find copy | sort
mv g h; ls
ln h hard; ln -s h soft
readlink soft
[ h -ef hard ] && echo "hard link same file"
stat -c '%h' h
rm hard; stat -c '%h' h
chmod 4711 h; stat -c '%a' h
touch -d '2001-02-03 04:05:06' h; date -r h -u '+%Y-%m-%d %H:%M'
test -d a && test -f h && test -L soft && test ! -e nope && echo "tests ok"
rm -r a; [ -e a ] || echo "a removed"
rmdir copy 2>/dev/null || echo "rmdir non-empty refused"
seq 1 10000 > z; stat -c '%s' z
truncate -s 100000 z; stat -c '%s' z
truncate -s 10 z; cat z; echo
cd / && rm -rf "$OLDPWD"
