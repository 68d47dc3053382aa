/*
 * The registry of online CPUs, by dense id. The boot CPU is id 0 from its
 * first instruction on.
 *
 * cpu_table grows only before other CPUs run (smp_init); entries are
 * published with a release store and never removed (no CPU hot-unplug),
 * so readers take no lock.
 */
#include "kernel/arch/x86_64/cpu.h"

static struct cpu *boot_only[1];
static struct cpu **cpu_table = boot_only;
static u32 cpu_table_len = 1;
static u32 nr_online;

void cpu_set_online(struct cpu *c)
{
	if (c->id >= cpu_table_len)
		return;
	__atomic_store_n(&cpu_table[c->id], c, __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_online, 1, __ATOMIC_RELEASE);
}

struct cpu *cpu_get(u32 id)
{
	if (id >= cpu_table_len)
		return NULL;
	return __atomic_load_n(&cpu_table[id], __ATOMIC_ACQUIRE);
}

u32 cpu_count(void)
{
	return __atomic_load_n(&nr_online, __ATOMIC_ACQUIRE);
}
