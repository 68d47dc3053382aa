#ifndef VIREO_BOOT_MAIN_H
#define VIREO_BOOT_MAIN_H

#include "kernel/boot/boot_info.h"
#include "kernel/lib/compiler.h"

void __noreturn kmain(const struct boot_info *bi);

extern const char vireo_version[];

#endif
