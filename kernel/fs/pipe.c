/*
 * Pipes (include/fs/pipe.h): the ring buffer, blocking reads and writes,
 * end-of-file and broken-pipe rules, poll, FIONREAD and the pipe-size
 * fcntls.
 *
 * Wake-ups: rd_wq is woken when bytes arrive or the last writer goes (what
 * a reader, or a poller of the read end, waits for); wr_wq when room
 * appears or the last reader goes. Each side changes the state under
 * pipe->lock first, then wakes the other.
 */
#include <fs/pipe.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/usercopy.h>
#include <proc/signal.h>
#include <proc/wait.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/signal.h>
#include <uapi/termios.h>

#define PIPEFS_DEV makedev(0, 12) /* st_dev of every pipe: an anonymous device */

/* A pipe's bytes: npages pages (a power of two), each NULL until first needed. */
struct pipe_ring {
	char **pages;
	size_t npages;
};

struct pipe {
	struct spinlock lock;
	struct pipe_ring ring;	 /* [lock] */
	size_t head;		 /* [lock] ring offset of the oldest buffered byte */
	size_t len;		 /* [lock] bytes buffered */
	int readers, writers;	 /* [lock] open read / write file descriptions */
	struct wait_queue rd_wq; /* bytes arrived or the last writer went */
	struct wait_queue wr_wq; /* room appeared or the last reader went */
};

static const struct file_operations pipe_fops;
static atomic64_t pipe_next_ino = { 1 };

static size_t ring_bytes(const struct pipe_ring *r)
{
	return r->npages * PAGE_SIZE;
}

/* Byte pos of the ring (taken modulo its size); *span says how many follow it on its page. */
static char *ring_at(const struct pipe_ring *r, size_t pos, size_t *span)
{
	pos &= ring_bytes(r) - 1;
	*span = PAGE_SIZE - pos % PAGE_SIZE;
	return r->pages[pos / PAGE_SIZE] + pos % PAGE_SIZE;
}

/* Allocate the missing pages under bytes [pos, pos + n), n >= 1. -ENOMEM keeps what it got. */
static int ring_populate(struct pipe_ring *r, size_t pos, size_t n)
{
	for (size_t i = pos / PAGE_SIZE; i <= (pos + n - 1) / PAGE_SIZE; i++) {
		char **page = &r->pages[i & (r->npages - 1)];
		if (!*page && !(*page = kmalloc(PAGE_SIZE, 0)))
			return -ENOMEM;
	}
	return 0;
}

/* Copy n bytes into the ring at pos; ring_populate has made their pages. */
static void ring_copy_in(struct pipe_ring *r, size_t pos, const char *src, size_t n)
{
	while (n) {
		size_t span;
		char *to = ring_at(r, pos, &span);
		size_t k = MIN(n, span);
		memcpy(to, src, k);
		pos += k, src += k, n -= k;
	}
}

static void ring_copy_out(const struct pipe_ring *r, size_t pos, char *dst, size_t n)
{
	while (n) {
		size_t span;
		const char *from = ring_at(r, pos, &span);
		size_t k = MIN(n, span);
		memcpy(dst, from, k);
		pos += k, dst += k, n -= k;
	}
}

/* Copy n bytes starting at pos of from to the start of to (populated). */
static void ring_move(struct pipe_ring *to, const struct pipe_ring *from, size_t pos, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t span_from, span_to;
		const char *src = ring_at(from, pos + done, &span_from);
		char *dst = ring_at(to, done, &span_to);
		size_t k = MIN(n - done, MIN(span_from, span_to));
		memcpy(dst, src, k);
		done += k;
	}
}

static void ring_free(struct pipe_ring *r)
{
	for (size_t i = 0; r->pages && i < r->npages; i++)
		kfree(r->pages[i]);
	kfree(r->pages);
}

/* A pipe with one reader and one writer (the two files about to be made), or NULL. */
static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->ring.npages = PIPE_DEF_BYTES / PAGE_SIZE;
	p->ring.pages = kzalloc(p->ring.npages * sizeof(char *));
	if (!p->ring.pages) {
		kfree(p);
		return NULL;
	}
	spin_init(&p->lock, "pipe", LOCK_RANK_PIPE);
	wait_queue_init(&p->rd_wq);
	wait_queue_init(&p->wr_wq);
	p->readers = p->writers = 1;
	return p;
}

static void pipe_free(struct pipe *p)
{
	if (!p)
		return;
	ring_free(&p->ring);
	kfree(p);
}

static size_t pipe_room(const struct pipe *p)
{
	return ring_bytes(&p->ring) - p->len;
}

/* wait_event condition (p->lock held): a read would not block. */
static bool pipe_can_read(void *arg)
{
	struct pipe *p = arg;
	return p->len || !p->writers;
}

/* Take up to len bytes; 0 means end of file. Caller holds p->lock and pipe_can_read(p). */
static size_t pipe_take_locked(struct pipe *p, char *buf, size_t len)
{
	size_t n = MIN(len, p->len);
	ring_copy_out(&p->ring, p->head, buf, n);
	p->head = (p->head + n) & (ring_bytes(&p->ring) - 1);
	p->len -= n;
	return n;
}

static ssize_t pipe_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	struct pipe *p = f->private;
	(void)pos;
	if (!len)
		return 0;
	spin_lock(&p->lock);
	ssize_t r = 0;
	if (!pipe_can_read(p))
		r = READ_ONCE(f->flags) & O_NONBLOCK
			? -EAGAIN
			: wait_event(&p->rd_wq, pipe_can_read, p, &p->lock);
	if (!r)
		r = pipe_take_locked(p, buf, len);
	spin_unlock(&p->lock);
	if (r > 0)
		wake_up(&p->wr_wq);
	return r;
}

/* What a writer waits for: want bytes of room, or no reader left to write for. */
struct pipe_room_wait {
	struct pipe *p;
	size_t want;
};

static bool pipe_has_room(void *arg)
{
	struct pipe_room_wait *w = arg;
	return !w->p->readers || pipe_room(w->p) >= w->want;
}

/*
 * Append as much of buf as fits (at least one byte does) and wake the
 * readers. Bytes appended or -ENOMEM. Caller holds p->lock.
 */
static ssize_t pipe_put_locked(struct pipe *p, const char *buf, size_t len)
{
	size_t n = MIN(len, pipe_room(p));
	size_t tail = p->head + p->len;
	if (ring_populate(&p->ring, tail, n))
		return -ENOMEM;
	ring_copy_in(&p->ring, tail, buf, n);
	p->len += n;
	wake_up(&p->rd_wq);
	return n;
}

/*
 * The body of write(2). A write of at most PIPE_BUF bytes waits until it
 * fits whole; a longer one (only kernel callers make those: write(2)
 * arrives in page-sized pieces) takes what room there is each time.
 * Bytes written, or -errno if none; *is_broken when readers were gone.
 * Caller holds p->lock (dropped while waiting).
 */
static ssize_t pipe_write_locked(struct pipe *p, struct file *f, const char *buf, size_t len,
				 bool *is_broken)
{
	size_t done = 0;
	while (done < len) {
		struct pipe_room_wait w = { p, len <= PIPE_BUF ? len : 1 };
		ssize_t r;
		if (!p->readers)
			r = -EPIPE;
		else if (pipe_has_room(&w))
			r = pipe_put_locked(p, buf + done, len - done);
		else if (READ_ONCE(f->flags) & O_NONBLOCK)
			r = -EAGAIN;
		else
			r = wait_event(&p->wr_wq, pipe_has_room, &w, &p->lock);
		if (r < 0) {
			*is_broken = r == -EPIPE;
			return done ? (ssize_t)done : r;
		}
		done += r;
	}
	return done;
}

/* SIGPIPE goes out after p->lock is dropped: sending takes task_lock, of lower rank. */
static ssize_t pipe_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	struct pipe *p = f->private;
	bool is_broken = false;
	(void)pos;
	spin_lock(&p->lock);
	ssize_t r = pipe_write_locked(p, f, buf, len, &is_broken);
	spin_unlock(&p->lock);
	if (is_broken)
		signal_send_current(SIGPIPE);
	return r;
}

/*
 * A description of one end goes away. Its side is counted down and the
 * other side woken, under p->lock: once that is dropped, the release of
 * the other end may free p. The last release frees it.
 */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->private;
	spin_lock(&p->lock);
	p->readers -= file_is_readable(f);
	p->writers -= file_is_writable(f);
	bool is_last = !p->readers && !p->writers;
	if (!is_last) {
		wake_up(&p->rd_wq);
		wake_up(&p->wr_wq);
	}
	spin_unlock(&p->lock);
	if (is_last)
		pipe_free(p);
}

/*
 * The read end: POLLIN with bytes buffered, POLLHUP once no writer is
 * left. The write end: POLLOUT when a PIPE_BUF write would not block,
 * POLLERR once no reader is left.
 */
static u32 pipe_poll(struct file *f, struct wait_queue **wq)
{
	struct pipe *p = f->private;
	u32 mask = 0;
	spin_lock(&p->lock);
	if (file_is_readable(f)) {
		*wq = &p->rd_wq;
		mask |= (p->len ? POLLIN : 0) | (p->writers ? 0 : POLLHUP);
	}
	if (file_is_writable(f)) {
		*wq = &p->wr_wq;
		mask |= (pipe_room(p) >= PIPE_BUF ? POLLOUT : 0) | (p->readers ? 0 : POLLERR);
	}
	spin_unlock(&p->lock);
	return mask;
}

/* FIONREAD: the bytes buffered, as an int. */
static long pipe_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct pipe *p = f->private;
	if (cmd != FIONREAD)
		return -ENOTTY;
	spin_lock(&p->lock);
	int n = p->len;
	spin_unlock(&p->lock);
	return copy_to_user((void __user *)arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static const struct file_operations pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.is_stream = true,
};

/*
 * Give p a ring of bytes (a power-of-two number of pages), keeping what
 * is buffered: the new pages are allocated and filled under p->lock, so
 * nothing moves in between. The new size, or -EBUSY/-ENOMEM.
 */
static long pipe_resize(struct pipe *p, size_t bytes)
{
	struct pipe_ring ring = { kzalloc(bytes / PAGE_SIZE * sizeof(char *)), bytes / PAGE_SIZE };
	if (!ring.pages)
		return -ENOMEM;
	spin_lock(&p->lock);
	long r = p->len > bytes ? -EBUSY : p->len ? ring_populate(&ring, 0, p->len) : 0;
	if (!r) {
		ring_move(&ring, &p->ring, p->head, p->len);
		struct pipe_ring old = p->ring;
		p->ring = ring;
		ring = old;
		p->head = 0;
		r = bytes;
		wake_up(&p->wr_wq); /* there may be more room now */
	}
	spin_unlock(&p->lock);
	ring_free(&ring); /* the old ring, or the new one that was not used */
	return r;
}

/* F_SETPIPE_SZ's size: at least a page, rounded up to a power of two; 0 if too big. */
static size_t pipe_round_size(u32 arg)
{
	size_t bytes = PAGE_SIZE;
	if (arg > (1u << 31))
		return 0;
	while (bytes < arg)
		bytes <<= 1;
	return bytes;
}

long pipe_fcntl(struct file *f, int cmd, u64 arg)
{
	if (f->ops != &pipe_fops)
		return -EBADF;
	struct pipe *p = f->private;
	if (cmd == F_GETPIPE_SZ) {
		spin_lock(&p->lock);
		long bytes = ring_bytes(&p->ring);
		spin_unlock(&p->lock);
		return bytes;
	}
	size_t bytes = pipe_round_size(arg); /* Linux takes the argument as an unsigned int */
	if (!bytes)
		return -EINVAL;
	if (bytes > PIPE_MAX_BYTES)
		return -EPERM;
	return pipe_resize(p, bytes);
}

/* The anonymous FIFO inode both ends share, refcount 1, or NULL. */
static struct inode *pipe_inode_alloc(void)
{
	struct inode *inode = kzalloc(sizeof(*inode));
	if (!inode)
		return NULL;
	atomic_set(&inode->refcount, 1);
	inode->ino = atomic64_add_return(&pipe_next_ino, 1) - 1;
	inode->dev = PIPEFS_DEV;
	inode->mode = S_IFIFO | 0600;
	inode->nlink = 1;
	spin_init(&inode->lock, "inode", LOCK_RANK_INODE);
	inode->atime = inode->mtime = inode->ctime = vfs_now();
	inode->fops = &pipe_fops;
	return inode;
}

/* Make the zeroed f one end of p; it takes its own inode reference. */
static void pipe_file_init(struct file *f, struct inode *inode, struct pipe *p, u32 flags)
{
	atomic_set(&f->refcount, 1);
	f->inode = inode_get(inode);
	f->ops = &pipe_fops;
	f->flags = flags;
	spin_init(&f->lock, "file", LOCK_RANK_FILE);
	f->private = p;
}

/* Everything is allocated before anything is counted, so failure needs no release. */
int pipe_create(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = pipe_alloc();
	struct inode *inode = pipe_inode_alloc();
	struct file *r = kzalloc(sizeof(*r)), *w = kzalloc(sizeof(*w));
	if (!p || !inode || !r || !w) {
		pipe_free(p);
		if (inode)
			inode_put(inode);
		kfree(r);
		kfree(w);
		return -ENOMEM;
	}
	pipe_file_init(r, inode, p, O_RDONLY | (flags & O_NONBLOCK));
	pipe_file_init(w, inode, p, O_WRONLY | (flags & O_NONBLOCK));
	inode_put(inode); /* the two ends hold it now */
	*rd = r;
	*wr = w;
	return 0;
}
