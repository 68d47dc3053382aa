/*
 * From the assembly trampoline to kmain: turn whichever boot protocol we
 * came in by into struct boot_info, bring up the console, and go.
 */
#include "kernel/boot/boot_info.h"
#include "kernel/boot/main.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/arch/x86_64/cpu.h"

static struct boot_info the_boot_info;
const struct boot_info *boot_info = &the_boot_info;

const char *boot_proto_name(enum boot_proto p)
{
	switch (p) {
	case BOOT_PROTO_PVH: return "PVH";
	case BOOT_PROTO_MULTIBOOT2: return "Multiboot2";
	}
	return "unknown";
}

void boot_add_mem(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	if (bi->nr_mem >= BOOT_MEM_MAX) {
		bi->mem_truncated = true;
		return;
	}
	bi->mem[bi->nr_mem++] = (struct boot_mem_region){ base, len, type };
}

void boot_add_module(struct boot_info *bi, u64 base, u64 len, const char *cmd)
{
	struct boot_module *m;

	if (bi->nr_modules >= BOOT_MODULES_MAX) {
		bi->modules_truncated = true;
		return;
	}
	m = &bi->modules[bi->nr_modules++];
	m->base = base;
	m->len = len;
	strlcpy(m->cmdline, cmd, sizeof(m->cmdline));
}

/* Called from boot.S with the protocol and the loader's info pointer. */
void __noreturn boot_main(u32 proto, u64 info_phys);
void __noreturn boot_main(u32 proto, u64 info_phys)
{
	struct boot_info *bi = &the_boot_info;
	int err = -1;

	cpu_early_init();
	if (proto == BOOT_PROTO_PVH)
		err = pvh_parse(info_phys, bi);
	else if (proto == BOOT_PROTO_MULTIBOOT2)
		err = mb2_parse(info_phys, bi);

	/* The console comes up before anything can go wrong loudly. */
	log_init(bi->cmdline);
	if (err)
		panic("boot: bad boot information (protocol %u at %#lx)",
		      proto, (unsigned long)info_phys);
	if (bi->mem_truncated)
		pr_warn("boot: memory map has more than %d entries; rest ignored\n",
			BOOT_MEM_MAX);
	if (bi->modules_truncated)
		pr_warn("boot: more than %d modules; rest ignored\n",
			BOOT_MODULES_MAX);
	kmain(bi);
}
