/*
 * execve: replace the current program (see proc.h). The arguments and
 * environment are copied into the kernel first, then the file is
 * examined (a "#!" script restarts with its interpreter), then a whole new
 * address space is built beside the old one (areas for every PT_LOAD, the
 * stack with argc/argv/envp/auxv as Linux lays it out). Only then, when
 * nothing can fail any more, the process switches to it.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/elf.h"
#include "kernel/proc/vm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "vfs/vfs.h"
#include <linux/auxvec.h>
#include <linux/elf.h>
#include <linux/mman.h>

#define EXEC_ARG_MAX    (128 * 1024)    /* argv + envp strings (E2BIG past) */
#define EXEC_MAX_DEPTH  4               /* nested #! interpreters (ELOOP) */
#define EXEC_HEAD       256             /* bytes read to recognise the file */
#define EXEC_AUXV       18              /* auxv pairs, AT_NULL included */

/* argv then envp strings, back to back, NUL-terminated each. */
struct exec_args {
	char *buf;
	size_t len;
	u32 argc, envc;
};

static int args_add(struct exec_args *a, const char *s, size_t n)
{
	if (a->len + n + 1 > EXEC_ARG_MAX)
		return -E2BIG;
	memcpy(a->buf + a->len, s, n);
	a->buf[a->len + n] = '\0';
	a->len += n + 1;
	return 0;
}

/* Append a NULL-terminated vector of strings (user or kernel pointers). */
static int args_vector(struct exec_args *a, const char *const *v, bool user, u32 *count)
{
	for (u32 i = 0; v; i++) {
		const char *s;
		long n;

		if (user) {
			if (copy_from_user(&s, &v[i], sizeof(s)))
				return -EFAULT;
		} else {
			s = v[i];
		}
		if (!s)
			return 0;
		if (user) {
			n = strncpy_from_user(a->buf + a->len, s, (long)(EXEC_ARG_MAX - a->len));
			if (n < 0)
				return (int)n;
			if ((size_t)n >= EXEC_ARG_MAX - a->len)
				return -E2BIG;
			a->len += (size_t)n + 1;
		} else if (args_add(a, s, strlen(s))) {
			return -E2BIG;
		}
		(*count)++;
	}
	return 0;
}

/* Replace argv[0] by the words given (a #! line's interpreter and its
 * argument, then the script's path). */
static int args_shebang(struct exec_args *a, const char *const *words, u32 n)
{
	size_t first = strlen(a->buf) + 1;
	struct exec_args b = { .buf = kmalloc(EXEC_ARG_MAX, GFP_KERNEL) };
	int err = 0;

	if (!b.buf)
		return -ENOMEM;
	if (!a->argc)
		first = 0;
	for (u32 i = 0; i < n && !err; i++)
		err = args_add(&b, words[i], strlen(words[i]));
	if (!err && b.len + a->len - first > EXEC_ARG_MAX)
		err = -E2BIG;
	if (err) {
		kfree(b.buf);
		return err;
	}
	memcpy(b.buf + b.len, a->buf + first, a->len - first);
	b.len += a->len - first;
	b.argc = a->argc - (first ? 1 : 0) + n;
	b.envc = a->envc;
	kfree(a->buf);
	*a = b;
	return 0;
}

struct exec_image {
	struct file *file;
	struct elf_info elf;
	char name[PATH_MAX];            /* as given: AT_EXECFN, comm */
};

static ssize_t read_at(struct file *f, void *buf, size_t len, u64 pos)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = vfs_read(f, VFS_KBUF((u8 *)buf + done), len - done, &pos);

		if (n < 0)
			return n;
		if (!n)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Parse "#!interp [arg]" from the first line of head. */
static int parse_shebang(char *head, size_t n, const char **interp, const char **arg)
{
	char *p, *end;

	head[n < EXEC_HEAD ? n : EXEC_HEAD - 1] = '\0';
	end = strchr(head, '\n');
	if (!end)
		return -ENOEXEC;        /* longer than Linux's 256 bytes */
	*end = '\0';
	p = head + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			*arg = p;
			for (char *q = p + strlen(p); q > p && (q[-1] == ' ' || q[-1] == '\t'); q--)
				q[-1] = '\0';
		}
	}
	return 0;
}

/* Open name and read its ELF plan into img, following #! scripts. */
static int exec_open(const struct vfs_ctx *ctx, const char *name, struct exec_args *args,
		     struct exec_image *img, int depth)
{
	char head[EXEC_HEAD];
	const char *interp, *arg, *words[3];
	void *phdrs = NULL;
	struct file *f;
	u64 phoff;
	size_t phlen;
	ssize_t n;
	int err;

	if (depth > EXEC_MAX_DEPTH)
		return -ELOOP;
	f = vfs_open(ctx, NULL, name, O_RDONLY, 0);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	err = -EACCES;
	if (!S_ISREG(f->f_inode->i_mode) || inode_permission(ctx, f->f_inode, MAY_EXEC))
		goto out_put;
	n = read_at(f, head, sizeof(head), 0);
	err = (int)n;
	if (n < 0)
		goto out_put;
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		err = parse_shebang(head, (size_t)n, &interp, &arg);
		if (err)
			goto out_put;
		words[0] = interp;
		words[1] = arg ? arg : name;
		words[2] = name;
		err = args_shebang(args, words, arg ? 3 : 2);
		if (!err)
			err = exec_open(ctx, interp, args, img, depth + 1);
		file_put(f);
		return err;
	}
	err = elf_check_header(head, (size_t)n, f->f_inode->i_size, &phoff, &phlen);
	if (err)
		goto out_put;
	phdrs = kmalloc(phlen, GFP_KERNEL);
	err = -ENOMEM;
	if (!phdrs)
		goto out_put;
	n = read_at(f, phdrs, phlen, phoff);
	err = n < 0 ? (int)n : -ENOEXEC;
	if (n != (ssize_t)phlen)
		goto out_free;
	err = elf_parse_phdrs(head, phdrs, f->f_inode->i_size, VM_PIE_BASE,
			      USER_END - VM_STACK_SIZE, &img->elf);
	if (err)
		goto out_free;
	if (img->elf.interp) {
		pr_warn("proc: exec %s: dynamically linked (PT_INTERP); only static programs run\n",
			name);
		err = -ENOEXEC;
		goto out_free;
	}
	kfree(phdrs);
	img->file = f;
	return 0;

out_free:
	kfree(phdrs);
out_put:
	file_put(f);
	return err;
}

/*
 * Map every PT_LOAD: file pages up to filesz, anonymous zeros after. A
 * segment without zeros (memsz == filesz: text, read-only data) shows the
 * file to the end of its last page, as Linux does, so that page too can
 * be the file's own (vm.c shares a page only if it shows what the file
 * has).
 */
static int map_segments(struct mm *mm, struct exec_image *img)
{
	for (unsigned i = 0; i < img->elf.nloads; i++) {
		const struct elf_load *l = &img->elf.load[i];
		uintptr_t start = ALIGN_DOWN(l->vaddr, PAGE_SIZE);
		uintptr_t fend = ALIGN_UP(l->vaddr + l->filesz, PAGE_SIZE);
		uintptr_t end = ALIGN_UP(l->vaddr + l->memsz, PAGE_SIZE);
		uintptr_t file_end = l->memsz > l->filesz ? l->vaddr + l->filesz : fend;
		int err;

		if (fend > start) {
			err = vm_map_fixed(mm, start, fend - start, l->prot, 0, img->file,
					   ALIGN_DOWN(l->offset, PAGE_SIZE), file_end);
			if (err)
				return err;
		}
		if (end > fend) {
			err = vm_map_fixed(mm, MAX(fend, start), end - MAX(fend, start),
					   l->prot, 0, NULL, 0, 0);
			if (err)
				return err;
		}
	}
	mm->brk_start = mm->brk = img->elf.hi;
	return 0;
}

static u64 cpu_hwcap(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

/*
 * The initial stack, as Linux builds it (System V x86-64 ABI §3.4.1): at
 * the top the strings (execfn, argv, envp), 16 random bytes and the
 * platform name; below, 16-byte aligned, argc, argv[], NULL, envp[],
 * NULL, auxv pairs ending with AT_NULL. Built in a kernel buffer, then
 * written into the new space. Returns the stack pointer or 0.
 */
static uintptr_t build_stack(struct mm *mm, struct exec_image *img,
			     struct exec_args *args, const struct proc *p, int *errp)
{
	static const char platform[] = "x86_64";
	size_t namelen = strlen(img->name) + 1;
	size_t strings = namelen + args->len + 16 + sizeof(platform);
	size_t words = 1 + args->argc + 1 + args->envc + 1 + 2 * EXEC_AUXV;
	uintptr_t top = USER_END, str_base, sp, execfn, argp, randp, platp;
	size_t total;
	u64 *w;
	u8 *buf;
	const char *s;

	str_base = ALIGN_DOWN(top - strings, 16);
	sp = ALIGN_DOWN(str_base - words * 8, 16);
	total = top - sp;
	buf = kzalloc(total, GFP_KERNEL);
	if (!buf) {
		*errp = -ENOMEM;
		return 0;
	}
#define AT(addr) (buf + ((addr) - sp))
	execfn = str_base;
	memcpy(AT(execfn), img->name, namelen);
	argp = execfn + namelen;
	memcpy(AT(argp), args->buf, args->len);
	randp = argp + args->len;
	get_random_bytes(AT(randp), 16);
	platp = randp + 16;
	memcpy(AT(platp), platform, sizeof(platform));

	w = (u64 *)AT(sp);
	*w++ = args->argc;
	s = args->buf;
	for (u32 i = 0; i < args->argc + args->envc; i++) {
		if (i == args->argc)
			*w++ = 0;
		*w++ = argp + (uintptr_t)(s - args->buf);
		s += strlen(s) + 1;
	}
	if (!args->envc)
		*w++ = 0;
	*w++ = 0;
#define AUX(type, val) do { *w++ = (type); *w++ = (val); } while (0)
	AUX(AT_PHDR, img->elf.phdr_vaddr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, img->elf.phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->elf.entry);
	AUX(AT_UID, p->uid);
	AUX(AT_EUID, p->euid);
	AUX(AT_GID, p->gid);
	AUX(AT_EGID, p->egid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, randp);
	AUX(AT_HWCAP, cpu_hwcap());
	AUX(AT_CLKTCK, 100);
	AUX(AT_PLATFORM, platp);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
#undef AT
	/* /proc/PID/cmdline and environ read the strings back from here. */
	s = args->buf;
	for (u32 i = 0; i < args->argc; i++)
		s += strlen(s) + 1;
	mm->arg_start = argp;
	mm->arg_end = mm->env_start = argp + (uintptr_t)(s - args->buf);
	mm->env_end = argp + args->len;
	*errp = vm_write_direct(mm, sp, buf, total);
	kfree(buf);
	return *errp ? 0 : sp;
}

/* Past the point of no return: the process becomes the new program. */
static void exec_commit(struct proc *p, struct mm *mm, struct exec_image *img,
			uintptr_t sp, struct trap_frame *f)
{
	struct thread *t = p->thread;
	struct mm *old = p->mm;
	const char *base = strrchr(img->name, '/');
	unsigned long flags;

	files_close_on_exec(p->files);
	irq_disable();
	proc_set_mm(p, mm);
	t->fs_base = 0;
	fpu_state_init(&t->fpu);
	thread_load(t);
	irq_enable();
	mm_put(old);
	proc_vfork_release(p);
	strlcpy(p->comm, base ? base + 1 : img->name, sizeof(p->comm));
	/* Handlers do not survive exec; ignored signals stay ignored, with
	 * no flags (as Linux: SA_NOCLDWAIT goes too). Under proc_lock, where
	 * an exiting child reads its parent's SIGCHLD action. */
	flags = spin_lock_irqsave(&proc_lock);
	for (int i = 0; i < PROC_NSIG; i++) {
		__sighandler_t h = p->sigaction[i].sa_handler;

		memset(&p->sigaction[i], 0, sizeof(p->sigaction[i]));
		if (h == SIG_IGN)
			p->sigaction[i].sa_handler = SIG_IGN;
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	signal_exec(p);
	t->clear_child_tid = 0;
	user_frame_init(f, img->elf.entry, sp);
}

long proc_execve(const char *path, const char *const *argv,
		 const char *const *envp, bool user_ptrs, struct trap_frame *f)
{
	struct proc *p = current_proc();
	struct exec_args args = { 0 };
	struct exec_image *img;
	struct vfs_ctx ctx;
	struct mm *mm;
	uintptr_t sp;
	long err = -ENOMEM;
	int serr;

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	args.buf = kmalloc(EXEC_ARG_MAX, GFP_KERNEL);
	if (!img || !args.buf)
		goto out_free;
	if (user_ptrs) {
		long n = strncpy_from_user(img->name, path, sizeof(img->name));

		err = n < 0 ? n : -ENAMETOOLONG;
		if (n < 0 || n >= (long)sizeof(img->name))
			goto out_free;
	} else {
		strlcpy(img->name, path, sizeof(img->name));
	}
	err = args_vector(&args, argv, user_ptrs, &args.argc);
	if (!err)
		err = args_vector(&args, envp, user_ptrs, &args.envc);
	if (err)
		goto out_free;
	proc_vfs_ctx(&ctx);
	err = exec_open(&ctx, img->name, &args, img, 0);
	if (err)
		goto out_free;
	err = -ENOMEM;
	mm = mm_create();
	if (!mm)
		goto out_put_file;
	err = map_segments(mm, img);
	if (!err)
		err = vm_map_fixed(mm, USER_END - VM_STACK_SIZE, VM_STACK_SIZE,
				   PROT_READ | PROT_WRITE | (img->elf.exec_stack ? PROT_EXEC : 0),
				   VMA_STACK, NULL, 0, 0);
	if (err)
		goto out_put_mm;
	sp = build_stack(mm, img, &args, p, &serr);
	err = serr;
	if (!sp)
		goto out_put_mm;
	exec_commit(p, mm, img, sp, f);
	err = 0;
	goto out_put_file;

out_put_mm:
	mm_put(mm);
out_put_file:
	file_put(img->file);
out_free:
	kfree(args.buf);
	kfree(img);
	return err;
}
