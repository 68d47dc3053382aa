#!/bin/sh
# Install what a fresh Debian 12 machine lacks to build, run and test Vireo.
# Cheap when everything is present: one dpkg-query, no apt-get.
set -e

PKGS="make gcc binutils python3 qemu-system-x86 ovmf grub-pc-bin
grub-efi-amd64-bin grub-common xorriso mtools e2fsprogs libext2fs-dev
linux-libc-dev libxen-dev musl-tools busybox-static clang lld gdb cpio"

# `scripts/deps.sh bench` also installs the Linux guest that bench/ measures
# Vireo against, and the chart tool.
[ "$1" = bench ] && PKGS="$PKGS linux-image-amd64 gnuplot-nox"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	sh -c "$cmd"
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  $cmd" >&2
	exit 1
fi
