/*
 * Per-CPU state and CPU setup. Each CPU's `struct cpu` is reached through
 * the GS base (this_cpu()), so per-CPU data needs no table lookup and no
 * lock. The boot CPU's is static; [smp] allocates the others.
 */
#ifndef VIREO_ARCH_CPU_H
#define VIREO_ARCH_CPU_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE   16384

/* Hardware 64-bit TSS (Intel SDM vol 3 §8.7, figure 8-11). */
struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];             /* IST1..IST7 at ist[0..6] */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

struct timer_queue;
struct task;
struct runqueue;
struct call_req;
struct addr_space;
struct pvclock_vcpu_time_info;

struct cpu {
	struct cpu *self;               /* %gs:0, so this_cpu() is one load */
	/* syscall_entry.S reads these two at fixed offsets (user.c checks). */
	u64 kstack_top;                 /* %gs:8: the running task's kernel
					   stack top (= tss.rsp[0]) */
	u64 user_rsp;                   /* %gs:16: user RSP during syscall entry */
	u32 id;                         /* dense: 0 is the boot CPU */
	u32 apic_id;
	/* Interrupt statistics and state; touched only by this CPU. */
	u64 nr_irqs;                    /* every vector >= 32 taken */
	u64 nr_timer_irqs;
	u64 irq_counts[256];            /* per vector, for /proc/interrupts */
	u32 irq_depth;                  /* > 0 inside an interrupt handler */
	struct timer_queue *timers;     /* kernel/time/timer.c */
	/* Scheduler (kernel/sched/sched.c). */
	struct task *current;           /* running task */
	struct runqueue *rq;
	u32 preempt_count;              /* spinlocks held + preempt_disable() */
	bool need_resched;              /* set by anyone, acted on here */
	u32 *lock_violations;           /* lockdebug.c: a test's counter */
	struct call_req *call_pending;  /* smp.c: a cross-CPU call for us */
	struct addr_space *as;          /* mm/vmm.c: the space in CR3 (NULL
					   until the first as_switch) */
	struct pvclock_vcpu_time_info *pvclock; /* kvmclock area, or NULL */
	u64 gdt[10];                    /* 8 descriptors + 16-byte TSS */
	struct tss tss __aligned(16);
	u8 *ist_stacks[4];              /* tops; index = IST number */
};

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/*
 * this_cpu()->field is two instructions: a task preempted between them and
 * moved to another CPU goes on with the old CPU's struct. Where that can
 * happen (preemption on) and matters, a field is read or changed by one
 * %gs-relative instruction instead, on whichever CPU runs it.
 */
#define CPU_FIELD_OFFSET(field) __builtin_offsetof(struct cpu, field)

/* GDT, TSS, IDT and GS base for the boot CPU; first thing boot_main does. */
void cpu_early_init(void);

/* Online CPUs by dense id (kernel/arch/x86_64/smp.c): NULL if absent. */
struct cpu *cpu_get(u32 id);
u32 cpu_count(void);
void cpu_set_online(struct cpu *c);

/* On a CPU the trampoline started: GDT, TSS (c->ist_stacks set), IDT and
 * GS base for c. */
void cpu_secondary_init(struct cpu *c);

/* Load the shared IDT on this CPU. */
void idt_load(void);

#endif
