/*
 * procfs text files, the seq_file way: the whole text is generated into a
 * kernel buffer (a snapshot) and reads are served from it, so a reader that
 * takes the file in several read() calls sees one consistent picture. A read
 * at offset 0 generates a fresh snapshot, as rereading a Linux /proc file
 * from the start does.
 *
 * The snapshot hangs off f->private and is swapped and copied from under
 * f->lock; generating it takes no VFS lock (the generators take task_lock
 * and mm->lock, which rank below the VFS).
 */
#include <fs/procfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define PROCFS_BUF_FIRST 4096 /* first allocation; doubled as needed */

/* What a text file's open description holds. */
struct procfs_snapshot {
	struct procfs_buf buf; /* [file->lock] */
	bool is_valid;	       /* [file->lock] buf holds a generated text */
};

/* Make room for need bytes in all; false (and b->err set) if it cannot be had. */
static bool procfs_buf_reserve(struct procfs_buf *b, size_t need)
{
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : PROCFS_BUF_FIRST;
	while (cap < need)
		cap *= 2;
	if (cap > PROCFS_BUF_MAX) {
		b->err = -EFBIG;
		return false;
	}
	char *data = kmalloc(cap, 0);
	if (!data) {
		b->err = -ENOMEM;
		return false;
	}
	if (b->len)
		memcpy(data, b->data, b->len);
	kfree(b->data);
	b->data = data;
	b->cap = cap;
	return true;
}

/* Format once into what is left; if it did not fit, grow and format again. */
void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->err)
		return;
	va_start(ap, fmt);
	size_t room = b->cap - b->len;
	int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if ((size_t)n < room) {
		b->len += n;
		return;
	}
	if (!procfs_buf_reserve(b, b->len + n + 1)) /* + 1: vsnprintf's NUL */
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += n;
}

void procfs_write(struct procfs_buf *b, const void *p, size_t n)
{
	if (b->err || !n || !procfs_buf_reserve(b, b->len + n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Linux's meminfo/smaps layout: the label in 16 columns, the number in 8. */
void procfs_print_kb(struct procfs_buf *b, const char *label, u64 kib)
{
	procfs_printf(b, "%-16s%8lu kB\n", label, kib);
}

void procfs_buf_free(struct procfs_buf *b)
{
	kfree(b->data);
	*b = (struct procfs_buf){ 0 };
}

static int procfs_text_open(struct inode *inode, struct file *f)
{
	int r = procfs_file_open_check(inode, f);
	if (r)
		return r;
	f->private = kzalloc(sizeof(struct procfs_snapshot));
	return f->private ? 0 : -ENOMEM;
}

/* Generate a new snapshot and put it in place of the old. No lock held on entry. */
static int procfs_text_refresh(struct file *f)
{
	struct procfs_inode *pi = procfs_i(f->inode);
	struct procfs_snapshot *s = f->private;
	struct procfs_buf nb = { 0 };
	int r = pi->entry->show(&nb, pi->pid);
	if (!r)
		r = nb.err;
	if (r) {
		procfs_buf_free(&nb);
		return r;
	}
	spin_lock(&f->lock);
	struct procfs_buf old = s->buf;
	s->buf = nb;
	s->is_valid = true;
	spin_unlock(&f->lock);
	procfs_buf_free(&old);
	return 0;
}

/* Copy from the snapshot at *pos; a read from offset 0 regenerates it first. */
static ssize_t procfs_text_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	struct procfs_snapshot *s = f->private;
	spin_lock(&f->lock);
	bool is_valid = s->is_valid;
	spin_unlock(&f->lock);
	if (*pos == 0 || !is_valid) {
		int r = procfs_text_refresh(f);
		if (r)
			return r;
	}
	spin_lock(&f->lock);
	size_t n = *pos < s->buf.len ? MIN(len, s->buf.len - *pos) : 0;
	if (n)
		memcpy(buf, s->buf.data + *pos, n);
	spin_unlock(&f->lock);
	*pos += n;
	return n;
}

static void procfs_text_release(struct file *f)
{
	struct procfs_snapshot *s = f->private;
	if (!s)
		return;
	procfs_buf_free(&s->buf);
	kfree(s);
}

s64 procfs_llseek(struct file *f, s64 off, int whence)
{
	s64 to = -1;
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	spin_lock(&f->lock);
	bool is_overflow = whence == SEEK_CUR && __builtin_add_overflow((s64)f->pos, off, &to);
	if (whence == SEEK_SET)
		to = off;
	if (!is_overflow && to >= 0)
		f->pos = to;
	spin_unlock(&f->lock);
	return is_overflow || to < 0 ? -EINVAL : to;
}

const struct file_operations procfs_text_fops = {
	.open = procfs_text_open,
	.read = procfs_text_read,
	.llseek = procfs_llseek,
	.release = procfs_text_release,
};
