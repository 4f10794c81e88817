/* Freestanding string and memory routines. */
#pragma once
#include <types.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
/*
 * Copy one 4 KiB page, 8 bytes at a time. Under QEMU's TCG each iteration
 * of a rep-string instruction is emulated separately, so this is ~8x
 * cheaper than a byte-wise memcpy of the same page.
 */
void copy_page(void *dst, const void *src);
