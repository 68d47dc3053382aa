/*
 * sched_switch(u64 *save_rsp, u64 new_rsp): save the callee-saved
 * registers on the current stack, store RSP in *save_rsp, load new_rsp and
 * pop the same set. The caller-saved registers are the C caller's
 * business; RFLAGS is the scheduler's (it runs with interrupts off). A new
 * task's stack is laid out by task_start() to "return" into task_entry.
 */
	.text
	.globl sched_switch
sched_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
