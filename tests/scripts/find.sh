# find on a small tree, sorted.
T=${T:-/tests}
cd "$T/data" || exit 1
find . -name '*.txt' | sort
find . -type d | sort
find . -name '*.md' -o -name '*.log' | sort
find sub -type f | wc -l
