/*
 * fd tables (include/fs/fdtable.h). Slots and close-on-exec bits live in
 * two arrays that grow by doubling up to FD_MAX; they are reallocated
 * under files->lock (kmalloc ranks above it). Files taken out of a table
 * are put only after the lock is dropped.
 */
#include <fs/locks.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define FD_INITIAL    64
#define BITS_PER_WORD 64
#define CLOSE_BATCH   16
#define FD_RESERVED   ((struct file *)1) /* slot taken by an open() in progress */

/*
 * A slot of files that held f was closed: as close(2) says, the table's
 * POSIX locks on the file go with it (fs/locks.h); then the reference.
 */
static void fd_release(struct files_struct *files, struct file *f)
{
	locks_remove_posix(f, files);
	file_put(f);
}

/* Bytes of the cloexec bitmap for capacity slots. */
static size_t cloexec_bytes(int capacity)
{
	return (capacity + BITS_PER_WORD - 1) / BITS_PER_WORD * sizeof(u64);
}

static bool fd_cloexec_test(struct files_struct *files, int fd)
{
	return files->cloexec[fd / BITS_PER_WORD] >> (fd % BITS_PER_WORD) & 1;
}

static void fd_cloexec_assign(struct files_struct *files, int fd, bool is_cloexec)
{
	u64 bit = 1ull << (fd % BITS_PER_WORD);
	if (is_cloexec)
		files->cloexec[fd / BITS_PER_WORD] |= bit;
	else
		files->cloexec[fd / BITS_PER_WORD] &= ~bit;
}

/* The open file in slot fd, or NULL (free or reserved). Caller holds files->lock. */
static struct file *fd_lookup_locked(struct files_struct *files, int fd)
{
	if (fd < 0 || fd >= files->capacity || files->fds[fd] == FD_RESERVED)
		return NULL;
	return files->fds[fd];
}

/* Replace the slot arrays with zeroed ones of capacity, copying what fits. -ENOMEM. */
static int files_resize(struct files_struct *files, int capacity)
{
	struct file **fds = kzalloc(capacity * sizeof(*fds));
	u64 *cloexec = kzalloc(cloexec_bytes(capacity));
	if (!fds || !cloexec) {
		kfree(fds);
		kfree(cloexec);
		return -ENOMEM;
	}
	int keep = MIN(capacity, files->capacity);
	if (keep) {
		memcpy(fds, files->fds, keep * sizeof(*fds));
		memcpy(cloexec, files->cloexec, cloexec_bytes(keep));
	}
	kfree(files->fds);
	kfree(files->cloexec);
	files->fds = fds;
	files->cloexec = cloexec;
	files->capacity = capacity;
	return 0;
}

/* Make slot fd exist (fd < FD_MAX). Caller holds files->lock. */
static int files_reserve(struct files_struct *files, int fd)
{
	int cap = MAX(files->capacity, FD_INITIAL);
	if (fd < files->capacity)
		return 0;
	while (cap <= fd)
		cap *= 2;
	return files_resize(files, MIN(cap, FD_MAX));
}

/* A table with capacity slots and refcount 1, or NULL. */
static struct files_struct *files_new(int capacity)
{
	struct files_struct *files = kzalloc(sizeof(*files));
	if (!files)
		return NULL;
	atomic_set(&files->refcount, 1);
	spin_init(&files->lock, "files", LOCK_RANK_FILES);
	if (files_resize(files, capacity)) {
		kfree(files);
		return NULL;
	}
	return files;
}

struct files_struct *files_alloc(void)
{
	return files_new(FD_INITIAL);
}

struct files_struct *files_dup(struct files_struct *src)
{
	spin_lock(&src->lock);
	struct files_struct *files = files_new(src->capacity);
	if (files) {
		for (int fd = 0; fd < src->capacity; fd++)
			if ((files->fds[fd] = fd_lookup_locked(src, fd)))
				file_get(files->fds[fd]);
		memcpy(files->cloexec, src->cloexec, cloexec_bytes(src->capacity));
	}
	spin_unlock(&src->lock);
	return files;
}

struct files_struct *files_get(struct files_struct *files)
{
	atomic_inc(&files->refcount);
	return files;
}

/* The last reference: nobody else can reach the table, so no lock is needed. */
void files_put(struct files_struct *files)
{
	if (!atomic_dec_and_test(&files->refcount))
		return;
	for (int fd = 0; fd < files->capacity; fd++)
		if (files->fds[fd] && files->fds[fd] != FD_RESERVED)
			fd_release(files, files->fds[fd]);
	kfree(files->fds);
	kfree(files->cloexec);
	kfree(files);
}

/* Take up to CLOSE_BATCH close-on-exec files out of the table; how many. */
static int files_take_cloexec(struct files_struct *files, struct file **batch)
{
	int n = 0;
	spin_lock(&files->lock);
	for (int fd = 0; fd < files->capacity && n < CLOSE_BATCH; fd++) {
		if (!fd_lookup_locked(files, fd) || !fd_cloexec_test(files, fd))
			continue;
		batch[n++] = files->fds[fd];
		files->fds[fd] = NULL;
		fd_cloexec_assign(files, fd, false);
	}
	spin_unlock(&files->lock);
	return n;
}

void files_close_on_exec(struct files_struct *files)
{
	struct file *batch[CLOSE_BATCH];
	int n;
	do {
		n = files_take_cloexec(files, batch);
		for (int i = 0; i < n; i++)
			fd_release(files, batch[i]);
	} while (n == CLOSE_BATCH);
}

/* Lowest free slot in [min_fd, limit), growing the table if needed; -EMFILE if none. */
static int fd_find_free(struct files_struct *files, int min_fd, int limit)
{
	for (int fd = min_fd; fd < MIN(files->capacity, limit); fd++)
		if (!files->fds[fd])
			return fd;
	int fd = MAX(min_fd, files->capacity);
	if (fd >= limit)
		return -EMFILE;
	return files_reserve(files, fd) ? -ENOMEM : fd;
}

/* The usable limit: at most FD_MAX. */
static int fd_clamp_limit(int limit)
{
	return limit < 0 || limit > FD_MAX ? FD_MAX : limit;
}

int fd_reserve(struct files_struct *files, int min_fd, int limit, bool is_cloexec)
{
	limit = fd_clamp_limit(limit);
	if (min_fd < 0)
		return -EINVAL;
	spin_lock(&files->lock);
	int fd = fd_find_free(files, min_fd, limit);
	if (fd >= 0) {
		files->fds[fd] = FD_RESERVED;
		fd_cloexec_assign(files, fd, is_cloexec);
	}
	spin_unlock(&files->lock);
	return fd;
}

void fd_commit(struct files_struct *files, int fd, struct file *f)
{
	spin_lock(&files->lock);
	WARN_ON(files->fds[fd] != FD_RESERVED);
	files->fds[fd] = f;
	spin_unlock(&files->lock);
}

void fd_unreserve(struct files_struct *files, int fd)
{
	spin_lock(&files->lock);
	WARN_ON(files->fds[fd] != FD_RESERVED);
	files->fds[fd] = NULL;
	fd_cloexec_assign(files, fd, false);
	spin_unlock(&files->lock);
}

int fd_install(struct files_struct *files, struct file *f, int min_fd, int limit, bool is_cloexec)
{
	int fd = fd_reserve(files, min_fd, limit, is_cloexec);
	if (fd >= 0)
		fd_commit(files, fd, f);
	return fd;
}

struct file *fd_get(struct files_struct *files, int fd)
{
	spin_lock(&files->lock);
	struct file *f = fd_lookup_locked(files, fd);
	if (f)
		file_get(f);
	spin_unlock(&files->lock);
	return f;
}

int fd_close(struct files_struct *files, int fd)
{
	spin_lock(&files->lock);
	struct file *f = fd_lookup_locked(files, fd);
	if (f) {
		files->fds[fd] = NULL;
		fd_cloexec_assign(files, fd, false);
	}
	spin_unlock(&files->lock);
	if (!f)
		return -EBADF;
	fd_release(files, f);
	return 0;
}

/* Point slot newfd at oldfd's file; the displaced file goes to *old. */
static int fd_dup_locked(struct files_struct *files, int oldfd, int newfd, bool is_cloexec,
			 struct file **old)
{
	struct file *f = fd_lookup_locked(files, oldfd);
	if (!f)
		return -EBADF;
	if (files_reserve(files, newfd))
		return -ENOMEM;
	if (files->fds[newfd] == FD_RESERVED)
		return -EBUSY; /* an open() is filling it right now */
	*old = files->fds[newfd];
	files->fds[newfd] = file_get(f);
	fd_cloexec_assign(files, newfd, is_cloexec);
	return newfd;
}

int fd_dup_to(struct files_struct *files, int oldfd, int newfd, int limit, bool is_cloexec)
{
	if (newfd < 0 || newfd >= fd_clamp_limit(limit))
		return -EBADF;
	struct file *old = NULL;
	spin_lock(&files->lock);
	int r = fd_dup_locked(files, oldfd, newfd, is_cloexec, &old);
	spin_unlock(&files->lock);
	if (old)
		fd_release(files, old);
	return r;
}

int fd_get_cloexec(struct files_struct *files, int fd)
{
	spin_lock(&files->lock);
	int r = fd_lookup_locked(files, fd) ? fd_cloexec_test(files, fd) : -EBADF;
	spin_unlock(&files->lock);
	return r;
}

int fd_set_cloexec(struct files_struct *files, int fd, bool is_cloexec)
{
	int r = -EBADF;
	spin_lock(&files->lock);
	if (fd_lookup_locked(files, fd)) {
		fd_cloexec_assign(files, fd, is_cloexec);
		r = 0;
	}
	spin_unlock(&files->lock);
	return r;
}

/* files is expected to be empty, so /dev/console lands on fd 0. */
int files_open_console(struct files_struct *files)
{
	struct file *f = vfs_open_kernel("/dev/console", O_RDWR);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(files, f, 0, FD_MAX, false);
	if (fd < 0) {
		file_put(f);
		return fd;
	}
	for (int i = 0; i < 3; i++) {
		int r = i == fd ? 0 : fd_dup_to(files, fd, i, FD_MAX, false);
		if (r < 0)
			return r;
	}
	return 0;
}
