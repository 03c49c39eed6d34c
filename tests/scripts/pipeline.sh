# Pipelines: a three-stage pipeline, pipe exit statuses, long streams.
seq 1 1000 | sort -rn | head -3
seq 1 20000 | wc -l
seq 1 100 | grep 7 | tr '\n' ' ' ; echo
echo abc | cat | cat | cat | rev
false | true; echo "status of false|true: $?"
true | false; echo "status of true|false: $?"
yes | head -n 3
