# Exit statuses through sh -c, subshells, signals and `exit`.
sh -c 'exit 7'; echo $?
sh -c 'exit 255'; echo $?
(exit 3); echo $?
sh -c 'kill -TERM $$'; echo $?
sh -c 'kill -KILL $$'; echo $?
false; echo $?
! true; echo $?
nonexistent-command-xyz 2>/dev/null; echo $?
