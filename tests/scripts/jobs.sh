# Background jobs, wait, kill, traps, subshells, command substitution.
# (the shell may or may not report "Terminated" for it, hence 2>/dev/null)
{ sleep 10 & pid=$!; kill $pid; wait $pid; echo "killed sleep: $?"; } 2>/dev/null
(sleep 0.1; exit 9) & wait $!; echo "background exit: $?"
trap 'echo trapped USR1' USR1
kill -USR1 $$
trap - USR1
x=$(echo inner; exit 3); echo "subst: $x $?"
n=0; for i in 1 2 3 4 5; do n=$((n + i)); done; echo "sum $n"
(cd /; pwd)
i=0; while [ $i -lt 3 ]; do echo "loop $i"; i=$((i + 1)); done
f() { echo "func $1"; return 5; }; f arg; echo "func status $?"
set -- a b c; echo "$# $2"
case foo.txt in *.txt) echo "case matched" ;; esac
echo a b c | { read x y z; echo "$z $y $x"; }
for i in 1 2 3; do sleep 0.05 & done; wait; echo "all waited"
