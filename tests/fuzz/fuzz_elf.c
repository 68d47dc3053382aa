// uses: kernel/proc/elf.c
/*
 * libFuzzer target: the ELF64 checks exec relies on. Any input is a
 * "file"; if its header passes, its program headers are parsed with two
 * biases. Whatever is accepted must describe a sane load plan: sorted,
 * non-overlapping segments inside the file and the user half, the entry
 * inside the image. Malformed input must be -ENOEXEC, never a crash.
 *
 *   make fuzz                      (FUZZ_SECONDS=60 by default)
 *   build/fuzz/fuzz_elf -max_total_time=600 build/fuzz/fuzz_elf-corpus
 *
 * Seeds: the static test programs and Debian's busybox-static.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/proc/elf.h"
#include "kernel/lib/errno.h"

#define USER_TOP 0x00007ffffffff000ULL

static void check_plan(const struct elf_info *e, uint64_t size)
{
	for (unsigned i = 0; i < e->nloads; i++) {
		const struct elf_load *l = &e->load[i];

		if (l->filesz > l->memsz || l->offset + l->filesz > size ||
		    l->vaddr < 4096 || l->vaddr + l->memsz > USER_TOP ||
		    (i && l->vaddr < e->load[i - 1].vaddr + e->load[i - 1].memsz))
			abort();
	}
	if (!e->nloads || e->entry < e->lo || e->entry >= e->hi || e->hi > USER_TOP)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t biases[] = { 0, 0x555555554000ULL };
	struct elf_info info;
	uint64_t phoff;
	size_t phlen;
	int err = elf_check_header(data, size, size, &phoff, &phlen);

	if (err) {
		if (err != -ENOEXEC)
			abort();
		return 0;
	}
	if (phoff + phlen > size)
		abort();
	for (size_t i = 0; i < sizeof(biases) / sizeof(biases[0]); i++) {
		err = elf_parse_phdrs(data, data + phoff, size, biases[i], USER_TOP, &info);
		if (err == 0)
			check_plan(&info, size);
		else if (err != -ENOEXEC)
			abort();
	}
	return 0;
}
