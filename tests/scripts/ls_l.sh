# ls -l of files with known modes and sizes: mode, size and name columns.
cd "$(mktemp -d)" || exit 1
printf '%s' 0123456789 > ten
chmod 640 ten
: > empty
chmod 755 empty
mkdir dir
chmod 700 dir
ln -s ten link
ls -l ten empty | awk '{print $1, $5, $NF}'
ls -ld dir | awk '{print $1, $NF}'
ls -l link | awk '{print substr($1,1,1), $(NF-2), $(NF-1), $NF}'
ls -1 | sort
stat -c '%a %s %n' ten empty
cd / && rm -rf "$OLDPWD"
