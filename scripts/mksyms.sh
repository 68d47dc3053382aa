#!/bin/sh
# Turn `nm -n` output (or /dev/null) into the kernel's symbol table.
# Only text symbols: the table symbolizes code addresses in backtraces.
# Layout (kernel/lib/ksyms.c): ksyms_count, then sorted addresses, then a
# parallel array of offsets into one string blob.
awk 'BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $1 ~ /^ffffffff8/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_count, ksyms_addr, ksyms_name_off, ksyms_names"
	print "ksyms_count:\t.quad " (n + 0)
	print "ksyms_addr:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "ksyms_name_off:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "ksyms_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}' "$1"
