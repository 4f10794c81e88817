/* Freestanding string and memory routines (the compiler may also emit calls to these). */
#include <lib/string.h>

/*
 * memset and memcpy move 8 bytes per string-instruction step and the odd
 * tail a byte at a time: under QEMU's TCG every step of a rep prefix is
 * emulated on its own, so the byte-wise forms cost 8 times as many.
 */
void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;
	size_t nwords = n / 8, tail = n % 8;
	u64 pattern = 0x0101010101010101ul * (u8)c;
	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(nwords) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(tail) : "a"(pattern) : "memory");
	return ret;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;
	size_t nwords = n / 8, tail = n % 8;
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(nwords)::"memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(tail)::"memory");
	return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}

void copy_page(void *dst, const void *src)
{
	size_t n = 4096 / 8;
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n)::"memory");
}
