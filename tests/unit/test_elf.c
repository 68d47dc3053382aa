// uses: kernel/proc/elf.c kernel/lib/string.c
/* ELF64 parsing: what exec accepts and what it refuses with -ENOEXEC. */
#include "tests/unit/unit.h"
#include "kernel/proc/elf.h"
#include "kernel/lib/errno.h"
#include <linux/elf.h>
#include <sys/mman.h>

#define USER_TOP 0x00007fffff000000ULL

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[4];
	unsigned char body[8192];
};

/* A static ET_EXEC with text at 0x400000 and data+bss at 0x401000. */
static void make_exec(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = 0x400100;
	im->eh.e_phoff = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 3;
	im->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = 0, .p_vaddr = 0x400000, .p_filesz = 0x800, .p_memsz = 0x800,
		.p_align = 4096 };
	im->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = 0x1800, .p_vaddr = 0x401800, .p_filesz = 0x100,
		.p_memsz = 0x3000, .p_align = 4096 };
	im->ph[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

static int parse(struct image *im, u64 bias, struct elf_info *info)
{
	u64 phoff;
	size_t phlen;
	int err = elf_check_header(im, sizeof(*im), sizeof(*im), &phoff, &phlen);

	if (err)
		return err;
	return elf_parse_phdrs(im, (const unsigned char *)im + phoff, sizeof(*im),
			       bias, USER_TOP, info);
}

UNIT_TEST(static_exec_plan)
{
	struct image im;
	struct elf_info info;

	make_exec(&im);
	EXPECT_EQ(parse(&im, 0x555555554000ULL, &info), 0);
	EXPECT(!info.dyn && !info.interp && !info.exec_stack);
	EXPECT_EQ(info.nloads, 2u);
	EXPECT_EQ(info.entry, 0x400100u);
	EXPECT_EQ(info.load[0].prot, (unsigned)(PROT_READ | PROT_EXEC));
	EXPECT_EQ(info.load[1].prot, (unsigned)(PROT_READ | PROT_WRITE));
	EXPECT_EQ(info.lo, 0x400000u);
	EXPECT_EQ(info.hi, 0x405000u);          /* 0x401800 + 0x3000, page-rounded */
	EXPECT_EQ(info.phdr_vaddr, 0x400040u);  /* inside the first segment */
	EXPECT_EQ(info.phnum, 3);
}

UNIT_TEST(static_pie_is_biased)
{
	struct image im;
	struct elf_info info;

	make_exec(&im);
	im.eh.e_type = ET_DYN;
	for (int i = 0; i < 2; i++)
		im.ph[i].p_vaddr -= 0x400000;
	im.eh.e_entry = 0x100;
	EXPECT_EQ(parse(&im, 0x555555554000ULL, &info), 0);
	EXPECT(info.dyn);
	EXPECT_EQ(info.entry, 0x555555554100ULL);
	EXPECT_EQ(info.load[1].vaddr, 0x555555555800ULL);
}

UNIT_TEST(interp_and_exec_stack_are_reported)
{
	struct image im;
	struct elf_info info;

	make_exec(&im);
	im.ph[2].p_flags |= PF_X;
	im.ph[3] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x200, .p_filesz = 28 };
	im.eh.e_phnum = 4;
	EXPECT_EQ(parse(&im, 0, &info), 0);
	EXPECT(info.interp);
	EXPECT(info.exec_stack);
}

UNIT_TEST(bad_headers_are_enoexec)
{
	struct image im;
	struct elf_info info;
	u64 phoff;
	size_t phlen;

	make_exec(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.eh.e_machine = EM_386;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.eh.e_type = ET_REL;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.eh.e_phentsize = 32;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.eh.e_phnum = 0;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.eh.e_phoff = ~0ULL - 8;              /* the table wraps around */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	/* A file shorter than its header. */
	EXPECT_EQ(elf_check_header(&im, 40, 40, &phoff, &phlen), -ENOEXEC);
	/* Program headers past the end of the file. */
	EXPECT_EQ(elf_check_header(&im, sizeof(im), 100, &phoff, &phlen), -ENOEXEC);
}

UNIT_TEST(bad_segments_are_enoexec)
{
	struct image im;
	struct elf_info info;

	make_exec(&im);
	im.ph[1].p_filesz = 0x4000;             /* filesz > memsz */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[1].p_offset = sizeof(im);         /* data beyond the file */
	im.ph[1].p_vaddr = 0x401000 + (sizeof(im) & 4095);
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[1].p_vaddr = 0x401900;            /* not congruent with its offset */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[1].p_vaddr = 0x3ff800;            /* below the first: unsorted */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[1].p_offset = 0x600;              /* overlaps the first */
	im.ph[1].p_vaddr = 0x400600;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[0].p_vaddr = 0;                   /* page zero */
	im.eh.e_entry = 0x100;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[1].p_vaddr = USER_TOP - 0x800;    /* runs past the user half */
	im.ph[1].p_offset = 0x1800;
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[1].p_memsz = ~0ULL - 0x1000;      /* wraps */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.eh.e_entry = 0x900000;               /* outside every segment */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
	make_exec(&im);
	im.ph[0].p_type = PT_NOTE;
	im.ph[1].p_type = PT_NOTE;              /* nothing to load */
	EXPECT_EQ(parse(&im, 0, &info), -ENOEXEC);
}

/* The real thing: Debian's busybox-static, if this host has it. */
UNIT_TEST(busybox_static_parses)
{
	static unsigned char buf[1 << 16];
	struct elf_info info;
	FILE *f = fopen("/bin/busybox", "rb");
	u64 phoff, size;
	size_t phlen, n;

	if (!f) {
		printf("# no /bin/busybox on this host: skipped\n");
		return;
	}
	fseek(f, 0, SEEK_END);
	size = (u64)ftell(f);
	fseek(f, 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	EXPECT_EQ(elf_check_header(buf, n, size, &phoff, &phlen), 0);
	EXPECT(phoff + phlen <= n);
	EXPECT_EQ(elf_parse_phdrs(buf, buf + phoff, size, 0, USER_TOP, &info), 0);
	EXPECT(!info.interp);
	EXPECT(info.nloads >= 2);
	EXPECT(info.entry >= info.lo && info.entry < info.hi);
	EXPECT(info.phdr_vaddr != 0);
}
