#!/bin/sh
# Build the default root file system: Debian's busybox-static with its
# applet links, the project's init, test programs and benchmarks.
#
#   images/mkroot.sh OUT.ext2 USERSPACE_DIR      ext2 image (mke2fs -d, no mounts)
#   images/mkroot.sh --cpio OUT.cpio USERSPACE_DIR   the same tree as an initramfs
#   images/mkroot.sh --dir OUT_DIR USERSPACE_DIR     just the tree
#
# USERSPACE_DIR is build/userspace (userspace/userspace.mk).
set -eu

mode=ext2
case "$1" in
--cpio) mode=cpio; shift ;;
--dir) mode=dir; shift ;;
esac
out=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
user=$(cd "$2" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
src=$(cd "$(dirname "$0")/.." && pwd)

if [ "$mode" = dir ]; then
	root=$out
	rm -rf "$root"
else
	root=$(mktemp -d)
	trap 'rm -rf "$root"' EXIT
fi
mkdir -p "$root"
cd "$root"
# Merged /usr, as on Debian: /bin and /sbin are links into /usr.
mkdir -p usr/bin usr/sbin etc dev proc sys tmp root test bench
ln -s usr/bin bin
ln -s usr/sbin sbin
chmod 1777 tmp

# Regular files first; the applet links come last and never replace
# anything (a copy onto a link would write through it, out of the tree).
cp "$busybox" usr/bin/busybox
cp "$user/init" usr/sbin/init
# busybox's lspci, which Debian's busybox-static lacks (userspace/lspci.c).
cp "$user/lspci" usr/bin/lspci
cp "$user"/tests/* test/
cp "$user"/bench/* bench/
cp "$src"/userspace/scripts/*.sh test/

# Things exec must refuse or follow (tests/integration/test_proc.py).
printf '#!/bin/sh\necho "script: $0 $1"\nexit 5\n' > test/script.sh
chmod 755 test/script.sh
printf '\177ELF\002\001\001\000garbage, not a program\n' > test/garbage
chmod 755 test/garbage
for dyn in /bin/true /usr/bin/true; do
	if [ -f "$dyn" ] && ! cmp -s "$dyn" "$busybox"; then
		cp "$dyn" test/dynamic
		break
	fi
done

cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
GROUP

# Every applet as a link to /bin/busybox at the path busybox names
# (usr/bin/ls, usr/sbin/...), except where a file already is.
"$busybox" --list-full | while read -r applet; do
	case "$applet" in
	bin/*|sbin/*) applet=usr/$applet ;;
	esac
	[ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done

cd - >/dev/null
case "$mode" in
cpio)
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$out"
	;;
ext2)
	rm -f "$out"
	mke2fs -q -F -t ext2 -L vireo-root -d "$root" "$out" 64M
	;;
esac
