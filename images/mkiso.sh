#!/bin/sh
# Build a GRUB rescue ISO (BIOS and UEFI) that boots Vireo by Multiboot2.
#   images/mkiso.sh OUT.iso KERNEL.elf "CMDLINE" [INITRD]
set -e
out=$1 kernel=$2 cmdline=$3 initrd=$4
[ -n "$out" ] && [ -n "$kernel" ] || { echo "usage: $0 OUT KERNEL CMDLINE [INITRD]" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/vireo.elf"
module=""
if [ -n "$initrd" ]; then
	cp "$initrd" "$dir/boot/initrd"
	module="	module2 /boot/initrd initrd"
fi
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Vireo" {
	multiboot2 /boot/vireo.elf $cmdline
$module
	boot
}
CFG
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
