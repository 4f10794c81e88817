/*
 * The memory devices (/dev/null, /dev/zero, /dev/full) and the table that
 * maps a character device number to its file ops.
 */
#include <fs/dev.h>
#include <fs/tty.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <uapi/errno.h>

struct chrdev {
	const char *name; /* node name under /dev */
	u32 major, minor;
	u32 perm;
	const struct file_operations *fops;
};

static ssize_t null_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	(void)f, (void)buf, (void)len, (void)pos;
	return 0;
}

/* Writes to /dev/null and /dev/zero vanish, all of them accepted. */
static ssize_t null_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	(void)f, (void)buf, (void)pos;
	return len;
}

static ssize_t zero_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	(void)f, (void)pos;
	memset(buf, 0, len);
	return len;
}

static ssize_t full_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	(void)f, (void)buf, (void)pos;
	return len ? -ENOSPC : 0;
}

/* Seeking a memory device always succeeds and leaves it at offset 0. */
static s64 null_llseek(struct file *f, s64 off, int whence)
{
	(void)f, (void)off, (void)whence;
	return 0;
}

static const struct file_operations null_fops = {
	.read = null_read,
	.write = null_write,
	.llseek = null_llseek,
};

static const struct file_operations zero_fops = {
	.read = zero_read,
	.write = null_write,
	.llseek = null_llseek,
};

static const struct file_operations full_fops = {
	.read = zero_read,
	.write = full_write,
	.llseek = null_llseek,
};

static const struct chrdev chrdevs[] = {
	{ "null", 1, 3, 0666, &null_fops },   { "zero", 1, 5, 0666, &zero_fops },
	{ "full", 1, 7, 0666, &full_fops },   { "tty", 5, 0, 0666, &tty_fops },
	{ "console", 5, 1, 0600, &tty_fops },
};

const struct file_operations *chrdev_fops(u64 rdev)
{
	for (size_t i = 0; i < ARRAY_SIZE(chrdevs); i++)
		if (makedev(chrdevs[i].major, chrdevs[i].minor) == rdev)
			return chrdevs[i].fops;
	return NULL;
}

/* An existing node (from the initramfs, say) is left as it is. */
int dev_create_nodes(const struct path_start *at)
{
	char path[32];
	int r = vfs_mkdirat(at, "/dev", 0755);
	if (r && r != -EEXIST)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(chrdevs); i++) {
		const struct chrdev *d = &chrdevs[i];
		snprintf(path, sizeof(path), "/dev/%s", d->name);
		r = vfs_mknodat(at, path, S_IFCHR | d->perm, makedev(d->major, d->minor));
		if (r && r != -EEXIST)
			return r;
	}
	return 0;
}
