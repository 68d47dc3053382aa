/*
 * The kernel's own symbol table, linked into the image (.ksyms, generated
 * by scripts/mksyms.sh from the first link pass): sorted text addresses and
 * their names, searched by bisection.
 */
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/printf.h"

extern const u64 ksyms_count;
extern const u64 ksyms_addr[];
extern const u32 ksyms_name_off[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

const char *ksym_lookup(u64 addr, u64 *offset, u64 *size)
{
	u64 lo = 0, hi = ksyms_count;

	if (!ksyms_count || addr < ksyms_addr[0] ||
	    addr < (u64)__text_start || addr >= (u64)__text_end)
		return NULL;
	/* Last symbol with address <= addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* Aliases share an address; the first one wins. */
	while (lo > 0 && ksyms_addr[lo - 1] == ksyms_addr[lo])
		lo--;
	if (offset)
		*offset = addr - ksyms_addr[lo];
	if (size) {
		u64 next = lo + 1;

		while (next < ksyms_count && ksyms_addr[next] == ksyms_addr[lo])
			next++;
		*size = (next < ksyms_count ? ksyms_addr[next] : (u64)__text_end) -
			ksyms_addr[lo];
	}
	return ksyms_names + ksyms_name_off[lo];
}

void ksym_format(u64 addr, char *buf, size_t size)
{
	u64 off, sz;
	const char *name = ksym_lookup(addr, &off, &sz);

	if (name)
		ksnprintf(buf, size, "%s+0x%lx/0x%lx", name, (unsigned long)off,
			  (unsigned long)sz);
	else
		ksnprintf(buf, size, "?");
}
