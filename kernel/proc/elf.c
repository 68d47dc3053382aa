/* ELF64 parsing (see elf.h). Field meanings: the System V gABI, ch. 4-5. */
#include "kernel/proc/elf.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include <linux/elf.h>
#include <asm-generic/mman-common.h>

#define ELF_PAGE 4096ULL

int elf_check_header(const void *ehdr, size_t len, u64 file_size,
		     u64 *phoff, size_t *phlen)
{
	Elf64_Ehdr h;
	u64 end;

	if (len < sizeof(h) || file_size < sizeof(h))
		return -ENOEXEC;
	memcpy(&h, ehdr, sizeof(h));
	if (memcmp(h.e_ident, ELFMAG, SELFMAG) ||
	    h.e_ident[EI_CLASS] != ELFCLASS64 ||
	    h.e_ident[EI_DATA] != ELFDATA2LSB ||
	    h.e_ident[EI_VERSION] != EV_CURRENT ||
	    (h.e_type != ET_EXEC && h.e_type != ET_DYN) ||
	    h.e_machine != EM_X86_64 || h.e_version != EV_CURRENT ||
	    h.e_phentsize != sizeof(Elf64_Phdr) ||
	    h.e_phnum == 0 || h.e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	end = h.e_phoff + (u64)h.e_phnum * sizeof(Elf64_Phdr);
	if (end < h.e_phoff || end > file_size)
		return -ENOEXEC;
	*phoff = h.e_phoff;
	*phlen = (size_t)h.e_phnum * sizeof(Elf64_Phdr);
	return 0;
}

static unsigned pf_to_prot(u32 flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* One PT_LOAD: sizes, file range, address range, page congruence. */
static int check_load(const Elf64_Phdr *p, u64 file_size, u64 bias,
		      u64 user_end, struct elf_load *l)
{
	u64 fend = p->p_offset + p->p_filesz;
	u64 va = p->p_vaddr + bias, vend = va + p->p_memsz;

	if (p->p_memsz == 0 || p->p_filesz > p->p_memsz ||
	    fend < p->p_offset || fend > file_size ||
	    va < p->p_vaddr || vend < va || va < ELF_PAGE || vend > user_end ||
	    (p->p_vaddr % ELF_PAGE) != (p->p_offset % ELF_PAGE))
		return -ENOEXEC;
	l->vaddr = va;
	l->memsz = p->p_memsz;
	l->offset = p->p_offset;
	l->filesz = p->p_filesz;
	l->prot = pf_to_prot(p->p_flags);
	return 0;
}

int elf_parse_phdrs(const void *ehdr, const void *phdrs, u64 file_size,
		    u64 bias, u64 user_end, struct elf_info *out)
{
	const u8 *ph = phdrs;
	Elf64_Ehdr h;
	u64 phdr_file = ~0ULL;

	memcpy(&h, ehdr, sizeof(h));
	memset(out, 0, sizeof(*out));
	out->dyn = h.e_type == ET_DYN;
	if (!out->dyn)
		bias = 0;
	out->phnum = h.e_phnum;
	for (unsigned i = 0; i < h.e_phnum; i++) {
		Elf64_Phdr p;
		struct elf_load *l;

		memcpy(&p, ph + i * sizeof(p), sizeof(p));
		switch (p.p_type) {
		case PT_LOAD:
			if (out->nloads == ELF_MAX_LOADS)
				return -ENOEXEC;
			l = &out->load[out->nloads];
			if (check_load(&p, file_size, bias, user_end, l))
				return -ENOEXEC;
			/* Sorted and disjoint, except that two segments may
			 * share the page where one ends and the next begins. */
			if (out->nloads && l->vaddr < l[-1].vaddr + l[-1].memsz)
				return -ENOEXEC;
			out->nloads++;
			if (h.e_phoff >= p.p_offset && h.e_phoff < p.p_offset + p.p_filesz &&
			    phdr_file == ~0ULL)
				phdr_file = l->vaddr + (h.e_phoff - p.p_offset);
			break;
		case PT_INTERP:
			out->interp = true;
			break;
		case PT_GNU_STACK:
			out->exec_stack = !!(p.p_flags & PF_X);
			break;
		case PT_PHDR:
			if (p.p_vaddr + bias < p.p_vaddr)
				return -ENOEXEC;
			out->phdr_vaddr = p.p_vaddr + bias;
			break;
		default:
			break;
		}
	}
	if (!out->nloads)
		return -ENOEXEC;
	if (!out->phdr_vaddr && phdr_file != ~0ULL)
		out->phdr_vaddr = phdr_file;
	out->lo = out->load[0].vaddr & ~(ELF_PAGE - 1);
	out->hi = out->load[out->nloads - 1].vaddr + out->load[out->nloads - 1].memsz;
	if (out->hi > user_end - ELF_PAGE)
		return -ENOEXEC;
	out->hi = (out->hi + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	out->entry = h.e_entry + (out->dyn ? bias : 0);
	if (out->entry < out->lo || out->entry >= out->hi)
		return -ENOEXEC;
	return 0;
}
