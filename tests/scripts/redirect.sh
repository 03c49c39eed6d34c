# Redirections: > >> < 2>&1, here-documents, fd duplication, noclobber.
cd "$(mktemp -d)" || exit 1
echo one > f
echo two >> f
cat < f
wc -l < f
ls /nonexistent-path > out 2>&1; echo "ls status: $?"
grep -c nonexistent out
{ echo to-stderr >&2; } 2> err; cat err
cat <<END
here-doc line, var=$((6 * 7))
END
cat <<'END'
quoted here-doc $HOME stays
END
exec 3> fd3; echo via-fd3 >&3; exec 3>&-; cat fd3
set -C; (echo x > f) 2>/dev/null || echo "noclobber refused"; set +C
: > empty; wc -c < empty
cd / && rm -rf "$OLDPWD"
