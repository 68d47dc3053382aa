/*
 * Helpers for the ext2 host tests: the generated images
 * (images/mkext2.py), mounting them over kshim's file-backed block
 * devices, and comparing a mounted tree with a directory on the host.
 */
#ifndef VIREO_TESTS_EXT2_UTIL_H
#define VIREO_TESTS_EXT2_UTIL_H

#include "fs/ext2/ext2.h"

#define EXT2U_DIR "build/images/ext2"

/* Build the images once per process (exits on failure). */
void ext2u_images(void);
/* A private copy of a shape's image: EXT2U_DIR/tmp-<tag>.img. */
const char *ext2u_copy(const char *shape, const char *tag, char *out, size_t len);

struct ext2u {
	struct block_device *bd;
	struct ext2_fs *fs;
};
int ext2u_mount(const char *img, bool ro, struct ext2u *m);
int ext2u_umount(struct ext2u *m);

/* Inode of a slash-separated path from the root (no symlinks followed). */
int ext2u_resolve(struct ext2_fs *fs, const char *path, u32 *ino);

/* Compare the tree under ino with the host directory: names, types,
 * permission bits, sizes, link counts, contents, symlink targets.
 * 0 if equal; else -1 and why says where they differ. */
int ext2u_compare(struct ext2_fs *fs, u32 ino, const char *hostdir, char *why, size_t len);

/* Run a shell command; its exit status (output goes to out if given). */
int ext2u_sh(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
