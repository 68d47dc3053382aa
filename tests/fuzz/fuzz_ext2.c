// uses: tests/unit/kshim.c vfs/buffer.c fs/ext2/super.c fs/ext2/alloc.c fs/ext2/inode.c fs/ext2/dir.c fs/ext2/namei.c kernel/lib/printf.c
/*
 * libFuzzer target: mount a mutated ext2 image (held in memory, writable),
 * walk every directory it can reach, stat, read and readlink everything,
 * then change it (create, write, truncate, mkdir, rename, unlink, rmdir)
 * and unmount. Corrupt metadata must give errors, never a crash, a hang,
 * a sanitizer report or a leaked buffer.
 *
 *   make fuzz                      (FUZZ_SECONDS=60 by default)
 *   build/fuzz/fuzz_ext2 -max_total_time=600 build/fuzz/ext2-corpus images
 *
 * Seeds: small images from images/mkext2.py (shape "fuzz-*").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/kshim.h"
#include "fs/ext2/internal.h"
#include "kernel/lib/errno.h"

#define MAX_ENTRIES 2000                /* visited per input: bounds the time */
#define MAX_DEPTH 8
#define READ_LIMIT (256u << 10)         /* bytes read per file */

struct entry {
	u32 ino;
	u32 len;
	char name[EXT2_NAME_LEN];
};

struct walk {
	struct ext2_fs *fs;
	u32 budget;                     /* entries left to visit */
	u8 buf[16384];
};

struct listing {
	struct entry *v;
	u32 n, cap;
};

/* readdir runs its callback under the fs lock: only collect here. */
static int collect(void *ctx, const char *name, u32 len, u32 ino, u32 dtype, u64 next)
{
	struct listing *l = ctx;

	if (l->n == l->cap)
		return 1;
	l->v[l->n].ino = ino;
	l->v[l->n].len = len;
	memcpy(l->v[l->n].name, name, len);
	l->n++;
	return 0;
}

static void walk_dir(struct walk *w, u32 dir, u32 depth)
{
	struct listing l = { .cap = 64 };
	u64 pos = 0;

	l.v = malloc(l.cap * sizeof(*l.v));
	/* A directory is listed in slices of cap entries. */
	while (w->budget) {
		u64 before = pos;

		l.n = 0;
		if (ext2_readdir(w->fs, dir, &pos, collect, &l) < 0 || (!l.n && pos == before))
			break;
		for (u32 i = 0; i < l.n && w->budget; i++) {
			struct entry *e = &l.v[i];
			struct ext2_stat st;
			struct ext2_ra ra = { 0 };
			u32 found;

			w->budget--;
			if ((e->len == 1 && e->name[0] == '.') ||
			    (e->len == 2 && !memcmp(e->name, "..", 2)))
				continue;
			ext2_lookup(w->fs, dir, e->name, e->len, &found);
			if (ext2_stat(w->fs, e->ino, &st))
				continue;
			if (S_ISDIR(st.mode) && depth < MAX_DEPTH) {
				walk_dir(w, e->ino, depth + 1);
			} else if (S_ISREG(st.mode)) {
				for (u64 off = 0; off < st.size && off < READ_LIMIT;
				     off += sizeof(w->buf))
					if (ext2_read(w->fs, e->ino, off, w->buf, sizeof(w->buf),
						      &ra) <= 0)
						break;
				/* A far offset: the indirect trees. */
				ext2_read(w->fs, e->ino, st.size / 2, w->buf, 512, NULL);
			} else if (S_ISLNK(st.mode)) {
				ext2_readlink(w->fs, e->ino, (char *)w->buf, sizeof(w->buf));
			}
		}
		if (l.n < l.cap)
			break;
	}
	free(l.v);
}

static void mutate(struct ext2_fs *fs, struct walk *w)
{
	u32 root = ext2_root_ino(), d, f, g;

	memset(w->buf, 0x5a, sizeof(w->buf));
	if (!ext2_mkdir(fs, root, "fz", 2, 0755, &d)) {
		if (!ext2_create(fs, d, "file", 4, S_IFREG | 0644, 0, &f)) {
			ext2_write(fs, f, 0, w->buf, sizeof(w->buf));
			ext2_write(fs, f, 300000, w->buf, 100);
			ext2_truncate(fs, f, 5000);
			ext2_link(fs, f, root, "fzlink", 6);
		}
		ext2_symlink(fs, d, "sl", 2, "a-target-long-enough-to-need-a-block-of-its-own-"
			     "for-the-slow-symlink-path", &g);
		ext2_rename(fs, d, "file", 4, root, "moved", 5);
		ext2_unlink(fs, root, "fzlink", 6);
		ext2_unlink(fs, d, "sl", 2);
		ext2_rmdir(fs, root, "fz", 2);
	}
	/* Change what the image already had. */
	ext2_unlink(fs, root, "hello.txt", 9);
	ext2_rename(fs, root, "dir", 3, root, "dir2", 4);
	ext2_rmdir(fs, root, "empty", 5);
	if (!ext2_lookup(fs, root, "small.bin", 9, &f)) {
		ext2_write(fs, f, 100, w->buf, 3000);
		ext2_truncate(fs, f, 10);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct walk w;
	struct block_device *bd;
	struct ext2_fs *fs;
	bool ro = false;
	u8 *img;

	kshim_quiet = true;
	size &= ~(size_t)(SECTOR_SIZE - 1);
	if (size < 2048)
		return 0;
	img = malloc(size);
	memcpy(img, data, size);
	bd = kshim_bdev_mem(img, size, false);
	if (!ext2_mount(bd, &ro, &fs)) {
		w.fs = fs;
		w.budget = MAX_ENTRIES;
		walk_dir(&w, ext2_root_ino(), 0);
		if (!ro)
			mutate(fs, &w);
		ext2_unmount(fs);
	}
	if (bcache_invalidate(bd)) {
		/* A buffer still held: a reference leaked on some error path. */
		abort();
	}
	kshim_bdev_free(bd);
	free(img);
	return 0;
}
