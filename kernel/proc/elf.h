/*
 * ELF64 executable parsing: pure, no I/O, host-tested and fuzzed
 * (tests/unit/test_elf.c). The loader (exec.c) reads the file header,
 * asks elf_check_header where the program headers are, reads them, and
 * gets back from elf_parse_phdrs a validated load plan. Anything malformed
 * is -ENOEXEC: truncated tables, segments outside the file or the user
 * half, overlapping or unsorted PT_LOADs, sizes that overflow.
 */
#ifndef VIREO_PROC_ELF_H
#define VIREO_PROC_ELF_H

#include "kernel/lib/types.h"

#define ELF_MAX_PHNUM 64        /* Linux allows 64 KiB of headers; 64 is plenty */
#define ELF_MAX_LOADS 16

/* prot bits of a segment: PROT_READ/WRITE/EXEC values (asm-generic/mman) */
struct elf_load {
	u64 vaddr;              /* already biased */
	u64 memsz;
	u64 offset;             /* in the file */
	u64 filesz;
	unsigned prot;
};

struct elf_info {
	bool dyn;               /* ET_DYN: static-PIE, loaded at a bias */
	bool interp;            /* has PT_INTERP: dynamically linked */
	bool exec_stack;        /* PT_GNU_STACK asks for PF_X */
	u64 entry;              /* biased */
	u64 phdr_vaddr;         /* where the program headers are mapped, 0 if not */
	u16 phnum;
	u64 lo, hi;             /* page-aligned bounds of every PT_LOAD */
	unsigned nloads;
	struct elf_load load[ELF_MAX_LOADS];
};

/*
 * Check a file header (at least 64 bytes of the file's start) against a
 * file of file_size bytes; on success, *phoff and *phlen say where the
 * program header table is. 0 or -ENOEXEC.
 */
int elf_check_header(const void *ehdr, size_t len, u64 file_size,
		     u64 *phoff, size_t *phlen);

/*
 * Validate the program headers of the header checked above and fill *out.
 * bias is added to every address of an ET_DYN file (ignored for ET_EXEC);
 * every segment must end up within [PAGE_SIZE, user_end). 0 or -ENOEXEC.
 */
int elf_parse_phdrs(const void *ehdr, const void *phdrs, u64 file_size,
		    u64 bias, u64 user_end, struct elf_info *out);

#endif
