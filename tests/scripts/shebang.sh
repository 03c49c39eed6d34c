# Scripts run by their #! line, with arguments; a missing interpreter.
cd "$(mktemp -d)" || exit 1
printf '#!/bin/sh\necho "script: $# args, first=$1"\nexit 4\n' > s.sh
chmod +x s.sh
./s.sh "a b" c; echo "status $?"
printf '#!/bin/sh -e\nfalse\necho not reached\n' > e.sh
chmod +x e.sh
./e.sh; echo "status $?"
printf '#!/nonexistent/interpreter\n' > bad.sh
chmod +x bad.sh
./bad.sh 2>/dev/null; echo "status $?"
printf 'echo no shebang, run by sh\n' > plain.sh
chmod +x plain.sh
./plain.sh; echo "status $?"
cd / && rm -rf "$OLDPWD"
