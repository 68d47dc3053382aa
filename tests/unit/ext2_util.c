/* Helpers for the ext2 host tests (see ext2_util.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/ext2_util.h"
#include "tests/unit/kshim.h"

#define CHUNK (256u << 10)
#define FULL_COMPARE_MAX (256ull << 20)        /* larger: data extents + samples */

int ext2u_sh(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *p;
	size_t n = 0;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && len) {
		n = fread(out, 1, len - 1, p);
		out[n] = 0;
	} else {
		char sink[4096];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void ext2u_images(void)
{
	static bool done;
	char out[4096];

	if (done)
		return;
	if (ext2u_sh(out, sizeof(out), "python3 images/mkext2.py %s 2>&1", EXT2U_DIR)) {
		printf("# images/mkext2.py failed:\n%s\n", out);
		exit(2);
	}
	done = true;
}

const char *ext2u_copy(const char *shape, const char *tag, char *out, size_t len)
{
	snprintf(out, len, "%s/tmp-%s.img", EXT2U_DIR, tag);
	if (ext2u_sh(NULL, 0, "cp --sparse=always %s/%s.img %s", EXT2U_DIR, shape, out)) {
		printf("# copying %s failed\n", shape);
		exit(2);
	}
	return out;
}

int ext2u_mount(const char *img, bool ro, struct ext2u *m)
{
	int err;

	m->bd = kshim_bdev_file(img, ro);
	if (!m->bd)
		return -ENOENT;
	err = ext2_mount(m->bd, &ro, &m->fs);
	if (err) {
		kshim_bdev_free(m->bd);
		m->bd = NULL;
	}
	return err;
}

int ext2u_umount(struct ext2u *m)
{
	int err = ext2_unmount(m->fs);

	kshim_bdev_free(m->bd);
	return err;
}

int ext2u_resolve(struct ext2_fs *fs, const char *path, u32 *ino)
{
	u32 cur = ext2_root_ino();

	while (*path) {
		const char *end;
		int err;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = strchrnul(path, '/');
		err = ext2_lookup(fs, cur, path, end - path, &cur);
		if (err)
			return err;
		path = end;
	}
	*ino = cur;
	return 0;
}

struct names {
	char **v;
	int n, cap;
};

static int collect(void *ctx, const char *name, u32 len, u32 ino, u32 dtype, u64 next)
{
	struct names *ns = ctx;

	if ((len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return 0;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 64;
		ns->v = realloc(ns->v, ns->cap * sizeof(char *));
	}
	ns->v[ns->n++] = strndup(name, len);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(struct names *ns)
{
	for (int i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

#define WHY(...) (snprintf(why, len, __VA_ARGS__), -1)

/* Compare [off, off + n) of the ext2 file with the host file. */
static int compare_range(struct ext2_fs *fs, u32 ino, int fd, u64 off, u64 n,
			 const char *path, char *why, size_t len)
{
	static u8 a[CHUNK], b[CHUNK];
	struct ext2_ra ra = { 0 };

	while (n) {
		size_t c = n < CHUNK ? n : CHUNK;
		ssize_t got = ext2_read(fs, ino, off, a, c, &ra);

		if (got != (ssize_t)c)
			return WHY("%s: read at %llu returned %zd, want %zu", path,
				   (unsigned long long)off, got, c);
		if (pread(fd, b, c, off) != (ssize_t)c)
			return WHY("%s: host read failed", path);
		if (memcmp(a, b, c))
			return WHY("%s: contents differ in [%llu, +%zu)", path,
				   (unsigned long long)off, c);
		off += c;
		n -= c;
	}
	return 0;
}

static int compare_file(struct ext2_fs *fs, u32 ino, const char *path, u64 size,
			char *why, size_t len)
{
	int fd = open(path, O_RDONLY);
	int ret = 0;

	if (fd < 0)
		return WHY("%s: %s", path, strerror(errno));
	if (size <= FULL_COMPARE_MAX) {
		ret = compare_range(fs, ino, fd, 0, size, path, why, len);
	} else {
		/* Huge sparse file: every data extent in full, and a 4 KiB
		 * sample at the start of every hole (it must read as zeros). */
		off_t pos = 0;

		while (!ret && pos < (off_t)size) {
			off_t data = lseek(fd, pos, SEEK_DATA), hole;

			if (data < 0)
				data = size;
			if (data > pos)
				ret = compare_range(fs, ino, fd, pos, MIN((u64)(data - pos), 4096u),
						    path, why, len);
			if (ret || data >= (off_t)size)
				break;
			hole = lseek(fd, data, SEEK_HOLE);
			ret = compare_range(fs, ino, fd, data, hole - data, path, why, len);
			pos = hole;
		}
	}
	close(fd);
	return ret;
}

static const char *lost_found(const char *dir)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/lost+found", dir);
	return p;
}

int ext2u_compare(struct ext2_fs *fs, u32 ino, const char *hostdir, char *why, size_t len)
{
	struct names host = { 0 }, img = { 0 };
	struct dirent *de;
	u64 pos = 0;
	DIR *d;
	int ret = 0, err;

	d = opendir(hostdir);
	if (!d)
		return WHY("%s: %s", hostdir, strerror(errno));
	while ((de = readdir(d)))
		collect(&host, de->d_name, strlen(de->d_name), 0, 0, 0);
	closedir(d);
	err = ext2_readdir(fs, ino, &pos, collect, &img);
	if (err) {
		ret = WHY("%s: readdir: %d", hostdir, err);
		goto out;
	}
	/* mke2fs makes lost+found in the root; the staged tree has none. */
	if (ino == ext2_root_ino() && access(lost_found(hostdir), F_OK)) {
		for (int i = 0; i < img.n; i++) {
			if (!strcmp(img.v[i], "lost+found")) {
				free(img.v[i]);
				img.v[i] = img.v[--img.n];
				break;
			}
		}
	}
	if (host.n != img.n) {
		ret = WHY("%s: %d entries on the host, %d in the image", hostdir,
			  host.n, img.n);
		goto out;
	}
	if (host.n) {
		qsort(host.v, host.n, sizeof(char *), cmpstr);
		qsort(img.v, img.n, sizeof(char *), cmpstr);
	}
	for (int i = 0; i < host.n && !ret; i++) {
		char path[4096], t1[4096], t2[4096];
		struct ext2_stat st;
		struct stat hs;
		u32 child;
		ssize_t n1, n2;

		if (strcmp(host.v[i], img.v[i])) {
			ret = WHY("%s: host has %s where the image has %s", hostdir,
				  host.v[i], img.v[i]);
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", hostdir, host.v[i]);
		if (lstat(path, &hs))
			ret = WHY("%s: %s", path, strerror(errno));
		else if ((err = ext2_lookup(fs, ino, host.v[i], strlen(host.v[i]), &child)))
			ret = WHY("%s: lookup: %d", path, err);
		else if ((err = ext2_stat(fs, child, &st)))
			ret = WHY("%s: stat: %d", path, err);
		else if (st.mode != hs.st_mode)
			ret = WHY("%s: mode %o, want %o", path, st.mode, hs.st_mode);
		else if (st.nlink != hs.st_nlink)
			ret = WHY("%s: %u links, want %lu", path, st.nlink,
				  (unsigned long)hs.st_nlink);
		else if (!S_ISDIR(hs.st_mode) && st.size != (u64)hs.st_size)
			ret = WHY("%s: size %llu, want %lld", path,
				  (unsigned long long)st.size, (long long)hs.st_size);
		if (ret)
			break;
		if (S_ISDIR(hs.st_mode)) {
			ret = ext2u_compare(fs, child, path, why, len);
		} else if (S_ISREG(hs.st_mode)) {
			ret = compare_file(fs, child, path, st.size, why, len);
		} else if (S_ISLNK(hs.st_mode)) {
			n1 = readlink(path, t1, sizeof(t1));
			n2 = ext2_readlink(fs, child, t2, sizeof(t2));
			if (n1 != n2 || memcmp(t1, t2, n1))
				ret = WHY("%s: symlink target differs (%zd vs %zd bytes)", path,
					  n2, n1);
		}
	}
out:
	free_names(&host);
	free_names(&img);
	return ret;
}

/* Line-buffered output: a sanitizer's exit must not swallow the results. */
__attribute__((constructor)) static void ext2u_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
