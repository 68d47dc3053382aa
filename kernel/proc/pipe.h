/* Pipes (pipe.c). */
#ifndef VIREO_PROC_PIPE_H
#define VIREO_PROC_PIPE_H

#include "kernel/lib/types.h"

struct file;

/* A new pipe: its read and write ends. flags: O_NONBLOCK. 0, -ENOMEM. */
int pipe_create(u32 flags, struct file **rd, struct file **wr);

#endif
