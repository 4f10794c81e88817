/*
 * /proc/profile, as Linux has it when booted with profile=N: the
 * profiler's buckets (lib/profile.h has the format), readable by anyone
 * (readprofile(8)), writable by root to reset them. It exists only while
 * the profiler is on; its st_size is the size of the image.
 *
 * A write of exactly sizeof(int) bytes is Linux's request to change the
 * sampling rate (readprofile -M); x86 Linux refuses it with EINVAL, and so
 * do we, leaving the counts alone. Any other write resets every bucket.
 *
 * Nothing is snapshotted: each read copies the live counters (lock-free;
 * a count may move between two reads of one profile, as on Linux).
 */
#include <fs/procfs.h>
#include <lib/profile.h>
#include <uapi/errno.h>

bool procfs_profile_is_present(u64 *size_bytes)
{
	*size_bytes = profile_image_bytes();
	return profile_is_enabled();
}

static ssize_t procfs_profile_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	(void)f;
	size_t n = profile_image_read(buf, len, *pos);
	*pos += n;
	return n;
}

static ssize_t procfs_profile_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	(void)f, (void)buf, (void)pos;
	if (len == sizeof(int))
		return -EINVAL;
	profile_reset();
	return len;
}

const struct file_operations procfs_profile_fops = {
	.read = procfs_profile_read,
	.write = procfs_profile_write,
	.llseek = procfs_llseek,
};
