# A program killed by SIGSEGV: the shell sees 128 + 11.
T=${T:-/tests}
sh -c "$T/bin/segv" 2>/dev/null; echo $?
"$T/bin/segv" 2>/dev/null; echo $?
