# Text tools over files and pipes.
T=${T:-/tests}
f=$T/data/lines.txt
head -2 "$f"; tail -2 "$f"
sort "$f" | tr '\n' ' '; echo
grep -n o "$f"
sed -n 's/o/0/gp' "$f"
awk '{ n += length($0) } END { print NR, n }' "$f"
cut -c1-2 "$f" | paste -s -d,
wc "$f" | awk '{print $1, $2, $3}'
md5sum < "$f"
sha256sum < "$f"
printf '%05d|%-4s|%x\n' 42 ab 255
echo "hello world" | tr a-z A-Z
seq 5 | xargs echo
echo 3 1 2 | tr ' ' '\n' | sort -n | uniq -c | awk '{print $1, $2}'
expr 6 \* 7
