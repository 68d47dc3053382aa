/*
 * The shared ext2 write workloads (see workload.h). Sizes are chosen for
 * the 1 KiB-block image: the big file reaches double-indirect blocks,
 * the truncations free single, double and triple indirect trees, and a
 * file grows a hole that is later written into.
 */
#include "fs/ext2/workload.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

#define WL_BUF (64u << 10)

void ext2_wl_fill(void *buf, u32 len, u32 seed, u64 off)
{
	u8 *p = buf;

	for (u32 i = 0; i < len; i++) {
		u64 x = (off + i) * 0x9e3779b97f4a7c15ull ^ ((u64)seed << 32 | seed);

		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ull;
		p[i] = (u8)(x >> 40);
	}
}

struct wl {
	const struct ext2_wl_ops *ops;
	void *ctx;
	char *why;
	u32 len;
	u8 *buf;
	const char *step;
};

#define CHECK(w, expr, want)                                                  \
	do {                                                                  \
		long got_ = (expr);                                           \
		if (got_ != (long)(want)) {                                   \
			ksnprintf((w)->why, (w)->len, "%s: %s = %ld, want %ld", \
				  (w)->step, #expr, got_, (long)(want));      \
			return -1;                                            \
		}                                                             \
	} while (0)

/* Write len bytes of stream seed at off, in chunk-sized calls. */
static int wl_write(struct wl *w, const char *path, u64 off, u32 len, u32 seed, u32 chunk)
{
	for (u32 done = 0; done < len;) {
		u32 n = MIN(chunk, len - done);

		ext2_wl_fill(w->buf, n, seed, off + done);
		CHECK(w, w->ops->write(w->ctx, path, off + done, w->buf, n), 0);
		done += n;
	}
	return 0;
}

/* Read [off, off + len) back and compare with stream seed. */
static int wl_verify(struct wl *w, const char *path, u64 off, u32 len, u32 seed)
{
	u8 *want = w->buf + WL_BUF / 2;

	for (u32 done = 0; done < len;) {
		u32 n = MIN(WL_BUF / 2, len - done);

		CHECK(w, w->ops->read(w->ctx, path, off + done, w->buf, n), n);
		ext2_wl_fill(want, n, seed, off + done);
		CHECK(w, memcmp(w->buf, want, n), 0);
		done += n;
	}
	return 0;
}

static int wl_general(struct wl *w)
{
	const struct ext2_wl_ops *o = w->ops;
	void *c = w->ctx;
	char name[64];

	w->step = "mkdir";
	CHECK(w, o->mkdir(c, "/w"), 0);
	CHECK(w, o->mkdir(c, "/w/a"), 0);
	CHECK(w, o->mkdir(c, "/w/b"), 0);
	CHECK(w, o->mkdir(c, "/w/a"), -EEXIST);

	w->step = "create, append, overwrite";
	if (wl_write(w, "/w/a/new.txt", 0, 5000, 1, 5000) ||
	    wl_write(w, "/w/a/new.txt", 5000, 3000, 1, 700) ||
	    wl_write(w, "/w/a/new.txt", 100, 200, 2, 200))
		return -1;
	if (wl_verify(w, "/w/a/new.txt", 0, 100, 1) ||
	    wl_verify(w, "/w/a/new.txt", 100, 200, 2) ||
	    wl_verify(w, "/w/a/new.txt", 300, 7700, 1))
		return -1;

	w->step = "big file into double-indirect blocks";
	if (wl_write(w, "/w/big.bin", 0, 300 << 10, 3, 7 << 10) ||
	    wl_verify(w, "/w/big.bin", 0, 300 << 10, 3))
		return -1;

	w->step = "holes, then writing into one";
	if (wl_write(w, "/w/holes", 0, 1000, 4, 1000) ||
	    wl_write(w, "/w/holes", 1 << 20, 1000, 4, 1000) ||
	    wl_write(w, "/w/holes", 500 << 10, 3000, 5, 3000) ||
	    wl_verify(w, "/w/holes", 500 << 10, 3000, 5))
		return -1;
	CHECK(w, o->read(c, "/w/holes", 2000, w->buf, 100), 100);
	for (u32 i = 0; i < 100; i++)
		CHECK(w, w->buf[i], 0);

	w->step = "extend an image file";
	CHECK(w, o->write(c, "/hello.txt", 12, "more text\n", 10), 0);

	w->step = "truncate";
	CHECK(w, o->truncate(c, "/double.bin", 20000), 0);
	CHECK(w, o->truncate(c, "/single.bin", 0), 0);
	/* Present in the 1 KiB image only: frees a triple-indirect tree. */
	if (o->truncate(c, "/sparse-triple", 70000) == -ENOENT)
		CHECK(w, o->truncate(c, "/sparse-double", 70000), 0);
	CHECK(w, o->truncate(c, "/w/holes", 600 << 10), 0);
	CHECK(w, o->truncate(c, "/w/a/new.txt", 9000), 0);
	if (wl_verify(w, "/w/holes", 500 << 10, 3000, 5))
		return -1;

	w->step = "unlink, link";
	CHECK(w, o->unlink(c, "/small.bin"), 0);
	CHECK(w, o->unlink(c, "/small.bin"), -ENOENT);
	CHECK(w, o->link(c, "/w/a/new.txt", "/w/b/hardlink"), 0);
	CHECK(w, o->link(c, "/links/hard", "/w/hard2"), 0);
	CHECK(w, o->unlink(c, "/dir"), -EISDIR);

	w->step = "symlink";
	CHECK(w, o->symlink(c, "a/new.txt", "/w/fastlink"), 0);
	CHECK(w, o->symlink(c, "../dir/sub/deep/file.txt/../../../../../../"
			       "a-long-way-round-to-make-this-a-slow-symlink",
			    "/w/slowlink"), 0);

	w->step = "rename";
	CHECK(w, o->rename(c, "/w/a/new.txt", "/w/b/moved.txt"), 0);
	if (wl_write(w, "/w/b/victim", 0, 100, 6, 100))
		return -1;
	CHECK(w, o->rename(c, "/w/big.bin", "/w/b/victim"), 0);
	CHECK(w, o->mkdir(c, "/w/a/sub"), 0);
	CHECK(w, o->mkdir(c, "/w/a/sub/inner"), 0);
	CHECK(w, o->rename(c, "/w/a/sub", "/w/b/sub"), 0);
	CHECK(w, o->mkdir(c, "/w/e"), 0);
	CHECK(w, o->rename(c, "/w/b/sub/inner", "/w/e"), 0);
	CHECK(w, o->rename(c, "/w/e", "/w/b"), -ENOTEMPTY);
	CHECK(w, o->rename(c, "/hello.txt", "/w/hello-moved"), 0);

	w->step = "rmdir";
	CHECK(w, o->rmdir(c, "/w/b"), -ENOTEMPTY);
	CHECK(w, o->rmdir(c, "/dir/emptydir"), 0);
	CHECK(w, o->rmdir(c, "/w/a"), 0);
	CHECK(w, o->rmdir(c, "/w/a"), -ENOENT);

	w->step = "many files, every third removed";
	CHECK(w, o->mkdir(c, "/w/many"), 0);
	for (u32 i = 0; i < 120; i++) {
		ksnprintf(name, sizeof(name), "/w/many/file-%03u-with-a-longer-name", i);
		if (wl_write(w, name, 0, 100 + i * 37, 100 + i, 4096))
			return -1;
	}
	for (u32 i = 0; i < 120; i += 3) {
		ksnprintf(name, sizeof(name), "/w/many/file-%03u-with-a-longer-name", i);
		CHECK(w, o->unlink(c, name), 0);
	}
	for (u32 i = 0; i < 20; i++) {
		ksnprintf(name, sizeof(name), "/w/many/again-%u", i);
		if (wl_write(w, name, 0, 10 + i, 300 + i, 4096))
			return -1;
	}
	w->step = "rewrite after truncate to 0";
	CHECK(w, o->truncate(c, "/many/f00", 0), 0);
	if (wl_write(w, "/many/f00", 0, 4000, 7, 4000))
		return -1;
	return 0;
}

static int wl_htree(struct wl *w)
{
	const struct ext2_wl_ops *o = w->ops;
	void *c = w->ctx;
	char name[96];

	w->step = "add to an htree directory";
	for (u32 i = 0; i < 50; i++) {
		ksnprintf(name, sizeof(name), "/big/new-%04u", i);
		if (wl_write(w, name, 0, i, 500 + i, 4096))
			return -1;
	}
	w->step = "remove from an htree directory";
	for (u32 i = 0; i < 2000; i += 7) {
		ksnprintf(name, sizeof(name), "/big/entry-%04u-%.*s", i, (int)(i % 40),
			  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		CHECK(w, o->unlink(c, name), 0);
	}
	w->step = "rename within an htree directory";
	CHECK(w, o->rename(c, "/big/entry-0001-x", "/big/renamed"), 0);
	CHECK(w, o->rename(c, "/small.txt", "/big/entry-0002-xx"), 0);
	return 0;
}

static int wl_run(int (*fn)(struct wl *), const struct ext2_wl_ops *ops, void *ctx,
		  char *why, u32 len)
{
	struct wl w = { .ops = ops, .ctx = ctx, .why = why, .len = len };
	int ret;

	w.buf = kmalloc(WL_BUF, GFP_KERNEL);
	if (!w.buf) {
		ksnprintf(why, len, "out of memory");
		return -1;
	}
	ret = fn(&w);
	kfree(w.buf);
	return ret;
}

int ext2_wl_general(const struct ext2_wl_ops *ops, void *ctx, char *why, u32 len)
{
	return wl_run(wl_general, ops, ctx, why, len);
}

int ext2_wl_htree(const struct ext2_wl_ops *ops, void *ctx, char *why, u32 len)
{
	return wl_run(wl_htree, ops, ctx, why, len);
}
