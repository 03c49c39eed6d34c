#!/bin/sh
# genproj.sh DIR [FILES]: write the compile workload of bench/compile.sh, a
# small C project of FILES (default 24) generated units plus main.c and a
# Makefile, into DIR. Each unit has a dozen functions of loops, switches
# and a struct table (about 0.1 s of gcc -O2 each); `make` builds ./prog,
# which prints one checksum over all units, the same wherever it is built.
# POSIX sh only: it runs on the host, the guest never needs it.
set -eu

dir=${1:?usage: $0 DIR [FILES]}
files=${2:-24}
mkdir -p "$dir"

unit() {	# unit N: the source of unit N
	n=$1
	cat <<EOF
/* unit $n of the bench/genproj.sh compile workload */
#include <stdint.h>
#include <string.h>

struct rec$n { uint32_t key; uint16_t kind; uint8_t flags[6]; double w; };

static struct rec$n table$n[64];
EOF
	for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
		echo "static uint64_t u${n}_f$k(uint64_t x, int depth);"
	done
	for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
		cat <<EOF

static uint64_t u${n}_f$k(uint64_t x, int depth)
{
	uint64_t acc = x ^ (0x9e3779b97f4a7c15ULL + $((n * 16 + k)));
	char buf[48];

	for (int i = 0; i < 16 + $k; i++) {
		switch ((acc >> (i & 7)) % 7) {
		case 0: acc = acc * 6364136223846793005ULL + $n; break;
		case 1: acc ^= acc >> 13; acc += table$n[i & 63].key; break;
		case 2: acc = (acc << 7) | (acc >> 57); break;
		case 3: table$n[(acc + i) & 63].w += (double)(acc & 0xff) / ($k + 1); break;
		case 4: memset(buf, (int)(acc & 0x7f), sizeof(buf)); acc += buf[i % 48]; break;
		case 5: acc -= table$n[(acc >> 3) & 63].kind * (uint64_t)$((k + 3)); break;
		default: acc += (uint64_t)table$n[i & 63].w; break;
		}
		if (depth > 0 && (acc & 0xf) == $k)
			acc += u${n}_f$(( (k + 11) % 12 ))(acc, depth - 1);
	}
	for (int j = 0; j < 6; j++)
		table$n[(acc >> j) & 63].flags[j] ^= (uint8_t)(acc >> (8 * j));
	return acc;
}
EOF
	done
	cat <<EOF

uint64_t unit$n(uint64_t seed);

uint64_t unit$n(uint64_t seed)
{
	uint64_t acc = seed;

	for (int i = 0; i < 64; i++) {
		table$n[i].key = (uint32_t)(i * 2654435761u + $n);
		table$n[i].kind = (uint16_t)(i * $n + 1);
		table$n[i].w = 0;
		memset(table$n[i].flags, 0, sizeof(table$n[i].flags));
	}
EOF
	for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
		echo "	acc += u${n}_f$k(acc, 2);"
	done
	cat <<EOF
	for (int i = 0; i < 64; i++)
		acc ^= table$n[i].flags[i % 6] + (uint64_t)table$n[i].w;
	return acc;
}
EOF
}

i=0
objs=
while [ "$i" -lt "$files" ]; do
	unit "$i" > "$dir/unit$i.c"
	objs="$objs unit$i.o"
	i=$((i + 1))
done

{
	echo "/* main of the bench/genproj.sh compile workload: one checksum */"
	echo "#include <inttypes.h>"
	echo "#include <stdint.h>"
	echo "#include <stdio.h>"
	echo
	i=0
	while [ "$i" -lt "$files" ]; do
		echo "uint64_t unit$i(uint64_t seed);"
		i=$((i + 1))
	done
	echo
	echo "int main(void)"
	echo "{"
	echo "	uint64_t sum = 1;"
	echo
	i=0
	while [ "$i" -lt "$files" ]; do
		echo "	sum = sum * 31 + unit$i(sum);"
		i=$((i + 1))
	done
	printf '\tprintf("checksum %%016" PRIx64 "\\n", sum);\n'
	echo "	return 0;"
	echo "}"
} > "$dir/main.c"

cat > "$dir/Makefile" <<EOF
# The bench/genproj.sh compile workload: make -j2, then ./prog.
CC = gcc
CFLAGS = -O2 -Wall
OBJS = main.o$objs

prog: \$(OBJS)
	\$(CC) -o \$@ \$(OBJS)

%.o: %.c
	\$(CC) \$(CFLAGS) -c -o \$@ \$<

clean:
	rm -f prog \$(OBJS)
EOF
