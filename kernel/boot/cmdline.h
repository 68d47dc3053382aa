/*
 * Kernel command line, Linux style: whitespace-separated parameters that are
 * `key=value` or bare `flag`; a value may be double-quoted to hold spaces
 * (key="a b"); a lone `--` ends the kernel's parameters and everything after
 * it is init's argv. Pure code: parses the string in place, no allocation.
 */
#ifndef VIREO_BOOT_CMDLINE_H
#define VIREO_BOOT_CMDLINE_H

#include "kernel/lib/types.h"

struct cmdline_param {
	const char *key;
	size_t key_len;
	const char *val;      /* NULL for a bare flag */
	size_t val_len;       /* raw length, quotes included */
};

/* Iterate kernel parameters (stops at "--"). *cursor starts at the string;
 * returns false when there are no more. */
bool cmdline_next(const char **cursor, struct cmdline_param *p);

/* The last occurrence of key wins, as on Linux. Copies the unquoted value
 * into val (truncated to valsz-1; a bare flag gives ""). Returns true if the
 * key is present. val may be NULL to test presence only. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t valsz);

/* Integer parameter; returns def if absent or malformed. */
long cmdline_get_long(const char *cmdline, const char *key, long def);

/* Split init's arguments (after "--") into argv, unquoting. Writes at most
 * max pointers into argv, pointing into buf (bufsz bytes). Returns argc,
 * or -E2BIG if they do not fit. */
int cmdline_init_argv(const char *cmdline, char *buf, size_t bufsz,
		      char **argv, int max);

#endif
