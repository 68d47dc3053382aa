/*
 * User copies: bad pointers give -EFAULT instead of faulting the kernel;
 * good ones work in a user address space; SMAP and SMEP keep the kernel
 * off user pages otherwise.
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/paging.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

static char report[4096];
static u64 kernel_word = 0x1122334455667788ULL;

#define UNMAPPED_USER ((void __user *)0x10000000UL)

KTEST(mm_copy_from_user_bad_pointers_efault)
{
	char buf[32];

	memset(buf, 0x55, sizeof(buf));
	KT_ASSERT_EQ(copy_from_user(buf, NULL, 8), -EFAULT);
	KT_ASSERT_EQ(copy_from_user(buf, UNMAPPED_USER, 8), -EFAULT);
	KT_ASSERT_EQ(copy_from_user(buf, (const void __user *)&kernel_word, 8), -EFAULT);
	KT_ASSERT_EQ(copy_from_user(buf, (const void __user *)phys_to_virt(0x100000), 8), -EFAULT);
	KT_ASSERT_EQ(copy_from_user(buf, (const void __user *)(USER_END - 4), 8), -EFAULT);
	KT_ASSERT_EQ(copy_from_user(buf, (const void __user *)~0UL, 1), -EFAULT);
	KT_ASSERT_EQ(buf[0], 0x55);
	KT_ASSERT_EQ(copy_to_user(NULL, buf, 8), -EFAULT);
	KT_ASSERT_EQ(copy_to_user(UNMAPPED_USER, buf, 8), -EFAULT);
	KT_ASSERT_EQ(copy_to_user((void __user *)&kernel_word, buf, 8), -EFAULT);
	KT_ASSERT_EQ(kernel_word, 0x1122334455667788ULL);
	KT_ASSERT_EQ(clear_user(NULL, 8), -EFAULT);
	KT_ASSERT_EQ(clear_user((void __user *)&kernel_word, 8), -EFAULT);
	KT_ASSERT_EQ(strncpy_from_user(buf, NULL, 16), -EFAULT);
	KT_ASSERT_EQ(strncpy_from_user(buf, UNMAPPED_USER, 16), -EFAULT);
	KT_ASSERT_EQ(strncpy_from_user(buf, (const char __user *)&kernel_word, 16), -EFAULT);
	/* Zero bytes are always fine. */
	KT_ASSERT_EQ(copy_from_user(buf, NULL, 0), 0);
	KT_ASSERT_EQ(kernel_word, 0x1122334455667788ULL);
}

/* A user address space with two pages at USER_VA and a hole after them. */
#define USER_VA 0x400000UL

struct user_env {
	struct addr_space *as;
	u8 *kview;                      /* the two pages via the direct map */
};

static bool user_env_setup(struct user_env *u)
{
	phys_addr_t pa = pmm_alloc(1);

	u->as = as_create();
	if (!u->as || !pa ||
	    vmm_map(u->as, USER_VA, pa, 2 * PAGE_SIZE,
		    VM_READ | VM_WRITE | VM_USER | VM_OWNED)) {
		if (pa)
			pmm_free(pa, 1);
		as_destroy(u->as);
		return false;
	}
	u->kview = phys_to_virt(pa);
	memset(u->kview, 0, 2 * PAGE_SIZE);
	return true;
}

KTEST(mm_user_copies_roundtrip)
{
	struct user_env u;
	char buf[64], str[64], big[PAGE_SIZE + 16];
	int to, from, across, cl, cl_bad;
	long s_ok, s_trunc, s_fault, s_end;
	u8 *end = (u8 *)USER_VA + 2 * PAGE_SIZE;

	KT_ASSERT(user_env_setup(&u));
	memset(u.kview, 0xee, 64);
	as_switch(u.as);
	to = copy_to_user((void __user *)(USER_VA + PAGE_SIZE - 3), "hello, user", 12);
	from = copy_from_user(buf, (const void __user *)(USER_VA + PAGE_SIZE - 3), 12);
	/* A copy that runs into the hole after the two pages. */
	memset(big, 'x', sizeof(big));
	across = copy_to_user((void __user *)(end - 8), big, 16);
	s_ok = strncpy_from_user(str, (const char __user *)(USER_VA + PAGE_SIZE - 3), 64);
	s_trunc = strncpy_from_user(big + 100, (const char __user *)(USER_VA + PAGE_SIZE - 3), 5);
	/* 8 'x' then the hole: no NUL within 8 is fine, within 64 a fault. */
	s_fault = strncpy_from_user(big, (const char __user *)(end - 8), 64);
	s_end = strncpy_from_user(big, (const char __user *)(end - 8), 8);
	cl = clear_user((void __user *)(USER_VA + 10), 20);
	cl_bad = clear_user((void __user *)(end - 4), 8);
	as_switch(&kernel_as);

	KT_ASSERT_EQ(to, 0);
	KT_ASSERT_EQ(from, 0);
	KT_ASSERT(!memcmp(buf, "hello, user", 12));
	KT_ASSERT(!memcmp(u.kview + PAGE_SIZE - 3, "hello, user", 12));
	KT_ASSERT_EQ(across, -EFAULT);
	/* The bytes before the hole were copied (clear_user then zeroed the
	 * last 4 before it faulted too). */
	KT_ASSERT_EQ(u.kview[2 * PAGE_SIZE - 8], 'x');
	KT_ASSERT_EQ(u.kview[2 * PAGE_SIZE - 5], 'x');
	KT_ASSERT_EQ(u.kview[2 * PAGE_SIZE - 4], 0);
	KT_ASSERT_EQ(u.kview[2 * PAGE_SIZE - 1], 0);
	KT_ASSERT_EQ(cl, 0);
	KT_ASSERT(u.kview[9] == 0xee && u.kview[10] == 0 && u.kview[29] == 0 &&
		  u.kview[30] == 0xee);
	KT_ASSERT_EQ(cl_bad, -EFAULT);
	KT_ASSERT_EQ(s_ok, 11);
	KT_ASSERT(!strcmp(str, "hello, user"));
	KT_ASSERT_EQ(s_trunc, 5);
	KT_ASSERT(!memcmp(big + 100, "hello", 5));
	KT_ASSERT_EQ(s_fault, -EFAULT);
	KT_ASSERT_EQ(s_end, 8);
	as_destroy(u.as);
}

static __noinline void read_user(void *p)
{
	(void)*(volatile u8 *)p;
}

static __noinline void call_user(void *p)
{
	((void (*)(void))p)();
}

KTEST(mm_smap_smep_keep_kernel_off_user_pages)
{
	struct user_env u;
	struct trap_catch tc;
	int r_read, r_exec, r_copy;
	u64 e_read, e_exec, cr2_read;

	KT_ASSERT(user_env_setup(&u));
	u.kview[0] = 0xc3;                      /* ret */
	KT_ASSERT_EQ(vmm_protect(u.as, USER_VA, PAGE_SIZE, VM_READ | VM_EXEC | VM_USER), 0);
	as_switch(u.as);
	r_read = trap_catch_call(&tc, report, sizeof(report), read_user, (void *)USER_VA);
	e_read = tc.error;
	cr2_read = tc.cr2;
	r_exec = trap_catch_call(&tc, NULL, 0, call_user, (void *)USER_VA);
	e_exec = tc.error;
	/* The sanctioned path still works. */
	r_copy = copy_from_user(&e_exec + 0, (const void __user *)USER_VA, 0) |
		 copy_from_user(report, (const void __user *)USER_VA, 1);
	as_switch(&kernel_as);
	as_destroy(u.as);

	/* Without the feature (-cpu qemu64) the access just works. */
	if (paging_cpu.smap) {
		KT_ASSERT_EQ(r_read, X86_TRAP_PF + 1);
		KT_ASSERT_EQ(cr2_read, USER_VA);
		KT_ASSERT_EQ(e_read & (PF_PRESENT | PF_USER), PF_PRESENT);
	} else {
		KT_ASSERT_EQ(r_read, 0);
	}
	if (paging_cpu.smep) {
		KT_ASSERT_EQ(r_exec, X86_TRAP_PF + 1);
		KT_ASSERT_EQ(e_exec & (PF_PRESENT | PF_INSTR), PF_PRESENT | PF_INSTR);
	} else {
		KT_ASSERT_EQ(r_exec, 0);
	}
	KT_ASSERT_EQ(r_copy, 0);
	KT_ASSERT_EQ((u8)report[0], 0xc3);
}
