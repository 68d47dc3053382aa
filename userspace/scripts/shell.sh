#!/bin/sh
# The shell's own machinery: pipes, redirections, subshells, command
# substitution, loops, functions, here-documents, exit statuses.
# (Background jobs with `wait` need SIGCHLD delivery: issue [shell].)
fails=0
check() {
	if [ "$2" = "$3" ]; then echo "ok $1"; else echo "FAIL $1: got [$2] want [$3]"; fails=$((fails + 1)); fi
}
cd /tmp
check pipe "$(echo a b c | tr ' ' '\n' | sort -r | head -n 1)" c
check redirect-out "$(echo x > r1; echo y >> r1; cat r1 | tr '\n' ,)" "x,y,"
check redirect-in "$(wc -l < r1)" 2
check redirect-err "$(ls /nonexistent 2> e1; [ -s e1 ] && echo err)" err
check dup-fd "$( (echo out; echo err >&2) 2>&1 | sort | tr '\n' ,)" "err,out,"
check subshell "$(x=1; (x=2; echo $x); echo $x)" "2
1"
check cmd-subst "$(echo "$(echo "$(echo nested)")")" nested
check arith "$((7 * 6 - 2))" 40
check for "$(for i in 1 2 3; do printf $i; done)" 123
check while "$(i=0; while [ $i -lt 4 ]; do i=$((i+1)); done; echo $i)" 4
check case "$(case foo in f*) echo match;; *) echo no;; esac)" match
check function "$(f() { echo "f:$1"; }; f arg)" f:arg
check heredoc "$(cat <<END
line1
line2
END
)" "line1
line2"
check status "$(false; echo $?)" 1
check and-or "$(true && echo yes || echo no)" yes
check exec-redirect "$(exec 3> r3; echo via3 >&3; exec 3>&-; cat r3)" via3
rm -f r1 r3 e1
if [ $fails = 0 ]; then echo "shell: PASS"; else echo "shell: FAIL ($fails)"; fi
[ $fails = 0 ]
