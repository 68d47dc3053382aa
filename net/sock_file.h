/*
 * Sockets as open files (net/sock_file.c): what the socket system calls
 * (kernel/syscall/sys_socket.c) put in the descriptor table.
 */
#ifndef VIREO_NET_SOCK_FILE_H
#define VIREO_NET_SOCK_FILE_H

#include "net/socket.h"
#include "vfs/vfs.h"

/* An open file for so (owning it: the last close releases it); flags:
 * O_NONBLOCK. ERR_PTR(-ENOMEM). */
struct file *sock_file_create(struct socket *so, u32 flags);
/* The socket of f, with f's O_NONBLOCK applied to it, or
 * ERR_PTR(-ENOTSOCK). */
struct socket *sock_from_file(struct file *f);

#endif
