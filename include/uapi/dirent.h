/* Linux getdents64(2) records and d_type values. */
#pragma once
#include <types.h>

#define DT_UNKNOWN 0
#define DT_FIFO	   1
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_BLK	   6
#define DT_REG	   8
#define DT_LNK	   10
#define DT_SOCK	   12

struct linux_dirent64 {
	u64 d_ino;
	s64 d_off; /* where the next getdents64 (or lseek) resumes after this entry */
	u16 d_reclen;
	u8 d_type;
	char d_name[]; /* NUL-terminated, record padded to 8 bytes */
};
