#!/bin/sh
# busybox applets on Vireo, each output compared with what Linux gives
# (the expected strings were taken from the same busybox on Linux).
# Prints "ok <applet>" or "FAIL <applet>: got ..." and "applets: PASS/FAIL".
fails=0
n=0
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: got [$2] want [$3]"
		fails=$((fails + 1))
	fi
}

d=/tmp/applets
rm -rf $d
mkdir -p $d/src/sub
cd $d
printf 'banana\napple\ncherry\napple\n' > src/fruit
printf 'one two three\nfour five six\n' > src/words
echo deep > src/sub/deep.txt

check mkdir "$(mkdir -p a/b/c && [ -d a/b/c ] && echo yes)" yes
check ls "$(ls src | tr '\n' ' ')" "fruit sub words "
check cat "$(cat src/fruit src/words | wc -l)" 6
check cp "$(cp src/fruit copy && cat copy | head -n 1)" banana
check mv "$(mv copy moved && ls moved && [ ! -e copy ] && echo gone)" "moved
gone"
check rm "$(rm moved && [ ! -e moved ] && echo removed)" removed
check ln "$(ln -s src/fruit link && readlink link && head -n 2 link | tail -n 1)" "src/fruit
apple"
check find "$(find src -name '*.txt')" src/sub/deep.txt
check grep "$(grep -c apple src/fruit) $(grep -n cherry src/fruit)" "2 3:cherry"
check sed "$(sed -e 's/an/AN/g' -e '3d' src/fruit | tr '\n' ,)" "bANANa,apple,apple,"
check awk "$(awk '{ s += NF } END { print s, NR }' src/words)" "6 2"
check sort "$(sort src/fruit | tr '\n' ,)" "apple,apple,banana,cherry,"
check uniq "$(sort src/fruit | uniq -c | awk '{print $1 $2}' | tr '\n' ,)" "2apple,1banana,1cherry,"
check wc "$(wc -w < src/words) $(wc -c < src/fruit)" "6 26"
check head "$(head -c 5 src/fruit)" banan
check tail "$(tail -n 1 src/fruit)" apple
check tr "$(echo hello | tr a-z A-Z)" HELLO
check cut "$(cut -d ' ' -f 2 src/words | tr '\n' ,)" "two,five,"
check xargs "$(echo a b c | xargs -n 1 echo x | tr '\n' ,)" "x a,x b,x c,"
check dd "$(dd if=src/fruit of=part bs=4 skip=1 count=2 2>/dev/null; cat part)" "na
apple"
check md5sum "$(md5sum < src/fruit | cut -c 1-32)" 763c338aa6f038f8ef266c493c28b213
check sha256sum "$(echo -n abc | sha256sum | cut -c 1-64)" ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
check stat "$(stat -c '%s %F' src/words)" "28 regular file"
check date "$(date -u -d @86400 +%Y-%m-%d)" 1970-01-02
check sleep "$(sleep 0.1 && echo slept)" slept
check expr "$(expr 6 \* 7)" 42
check seq "$(seq 3 | tr '\n' ,)" "1,2,3,"
check basename "$(basename /a/b/c.txt .txt) $(dirname /a/b/c.txt)" "c /a/b"
check printf "$(printf '%05d|%s' 42 x)" "00042|x"
check test "$([ -f src/fruit ] && [ ! -d src/fruit ] && echo t)" t
check touch "$(touch -d @0 old && stat -c %Y old)" 0
check chmod "$(chmod 700 old && stat -c %a old)" 700
check du "$(du -s src > /dev/null && echo ran)" ran
check tee "$(echo teed | tee t1 > /dev/null; cat t1)" teed
check rmdir "$(rmdir a/b/c && [ ! -e a/b/c ] && echo gone)" gone
check env "$(env -i FOO=bar env)" FOO=bar
check id "$(id -u)" 0
check uname "$(uname -m)" x86_64

cd /
rm -rf $d
echo "applets: $n checked, $fails failed"
if [ $fails = 0 ]; then echo "applets: PASS"; else echo "applets: FAIL"; fi
[ $fails = 0 ]
