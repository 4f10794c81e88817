/*
 * Self-tests for the pieces around the VFS: page arrays, fd tables,
 * fs_structs, the tty line discipline, initramfs unpacking and the
 * wall clock.
 */
#include <fs/tty.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/realtime.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <test/ktest.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

KTEST(vfs_page_array)
{
	struct page_array pa;
	page_array_init(&pa);
	u64 free0 = frame_free_count();
	u64 idx[] = { 0, 1, 511, 512, 262144, 1ull << 27, 3 };
	for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
		struct page *p = frame_alloc(0, GFP_ZERO);
		KT_EXPECT(p && page_array_insert(&pa, idx[i], p) == 0);
	}
	KT_EXPECT(pa.nr_pages == ARRAY_SIZE(idx) && pa.height == 4);
	KT_EXPECT(page_array_lookup(&pa, 511) && !page_array_lookup(&pa, 510));
	KT_EXPECT(!page_array_lookup(&pa, 1ull << 40));
	struct page *p = page_array_lookup(&pa, 1);
	KT_EXPECT(p && page_array_insert(&pa, 1, p) == -EEXIST);
	page_array_truncate(&pa, 512);
	KT_EXPECT(pa.nr_pages == 4 && !page_array_lookup(&pa, 512) && page_array_lookup(&pa, 3));
	page_array_truncate(&pa, 0);
	KT_EXPECT(pa.nr_pages == 0 && pa.root == NULL && pa.height == 0);
	KT_EXPECT(frame_free_count() == free0); /* pages and nodes all went back */
}

/* A file on /dev/null to fill fd tables with. */
static struct file *kt_null_file(void)
{
	struct path_start at = { vfs_root(), vfs_root() };
	return vfs_openat(&at, "/dev/null", O_RDWR, 0);
}

KTEST(vfs_fdtable)
{
	struct files_struct *files = files_alloc();
	struct file *f = kt_null_file();
	if (!files || IS_ERR(f))
		return;
	KT_EXPECT(fd_install(files, f, 0, 1024, false) == 0);
	KT_EXPECT(fd_install(files, file_get(f), 0, 1024, true) == 1);
	KT_EXPECT(fd_install(files, file_get(f), 10, 1024, false) == 10);
	KT_EXPECT(fd_install(files, file_get(f), 200, 1024, false) == 200); /* grows the table */
	KT_EXPECT(fd_get_cloexec(files, 1) == 1 && fd_get_cloexec(files, 0) == 0);
	KT_EXPECT(fd_get_cloexec(files, 5) == -EBADF);
	KT_EXPECT(fd_close(files, 10) == 0 && fd_close(files, 10) == -EBADF);
	KT_EXPECT(fd_close(files, -1) == -EBADF && fd_close(files, 5000) == -EBADF);
	KT_EXPECT(fd_dup_to(files, 0, 1023, 1024, true) == 1023);
	KT_EXPECT(fd_dup_to(files, 0, 1024, 1024, false) == -EBADF);
	KT_EXPECT(fd_dup_to(files, 7, 8, 1024, false) == -EBADF);
	KT_EXPECT(atomic_read(&f->refcount) == 4);
	struct files_struct *child = files_dup(files);
	KT_EXPECT(child && atomic_read(&f->refcount) == 8);
	struct file *g = fd_get(child, 200);
	KT_EXPECT(g == f);
	file_put(g);
	files_close_on_exec(child);
	KT_EXPECT(!fd_get(child, 1) && !fd_get(child, 1023) && atomic_read(&f->refcount) == 6);
	files_put(child);
	KT_EXPECT(atomic_read(&f->refcount) == 4);
	KT_EXPECT(fd_set_cloexec(files, 0, true) == 0 && fd_get_cloexec(files, 0) == 1);
	files_put(files); /* drops all four */
}

KTEST(vfs_fdtable_full)
{
	struct files_struct *files = files_alloc();
	struct file *f = kt_null_file();
	if (!files || IS_ERR(f))
		return;
	int fd = 0, last = -1;
	for (int i = 0; i < FD_MAX && fd >= 0; i++) {
		fd = fd_install(files, file_get(f), 0, 1000, false);
		if (fd >= 0)
			last = fd;
		else
			file_put(f);
	}
	KT_EXPECT(last == 999);
	KT_EXPECT(fd_install(files, f, 0, 1000, false) == -EMFILE);
	KT_EXPECT(fd_install(files, f, 1000, 1000, false) == -EMFILE);
	KT_EXPECT(fd_install(files, f, -1, 1000, false) == -EINVAL);
	KT_EXPECT(fd_install(files, f, 1000, 2000, false) == 1000); /* a raised limit */
	KT_EXPECT(fd_close(files, 77) == 0 && fd_install(files, file_get(f), 3, 1000, false) == 77);
	file_get(f);
	files_put(files);
	KT_EXPECT(atomic_read(&f->refcount) == 1);
	file_put(f);
}

KTEST(vfs_fs_struct)
{
	struct fs_struct *fs = fs_alloc();
	if (!fs)
		return;
	struct path_start at = { vfs_root(), vfs_root() };
	KT_EXPECT(fs_umask(fs) == 022 && fs_umask_swap(fs, 0777077) == 022 && fs_umask(fs) == 077);
	struct inode *tmp = vfs_lookupat(&at, "/tmp", 0);
	KT_EXPECT(!IS_ERR(tmp));
	fs_set_cwd(fs, tmp);
	struct fs_struct *child = fs_dup(fs);
	struct path_start ps;
	fs_path_start(child, &ps);
	KT_EXPECT(ps.dir == tmp && ps.root == vfs_root() && fs_umask(child) == 077);
	path_start_put(&ps);
	fs_put(child);
	KT_EXPECT(fs_get(fs) == fs);
	fs_put(fs);
	fs_put(fs);
	inode_put(tmp);
}

/* Echo capture for a test tty. */
static char kt_echo[128];
static size_t kt_echo_len;

static void kt_tty_output(const char *s, size_t n)
{
	n = MIN(n, sizeof(kt_echo) - 1 - kt_echo_len);
	memcpy(kt_echo + kt_echo_len, s, n);
	kt_echo_len += n;
	kt_echo[kt_echo_len] = 0;
}

static void kt_tty_feed(struct tty *tty, const char *s)
{
	spin_lock(&tty->lock);
	while (*s)
		tty_input_byte(tty, *s++);
	spin_unlock(&tty->lock);
}

static size_t kt_tty_take(struct tty *tty, char *buf, size_t len)
{
	spin_lock(&tty->lock);
	size_t n = tty_is_readable(tty) ? tty_take(tty, buf, len) : (size_t)-1;
	spin_unlock(&tty->lock);
	if (n != (size_t)-1)
		buf[n] = 0;
	return n;
}

KTEST(vfs_tty_canonical)
{
	static struct tty tty;
	char buf[32];
	tty_init(&tty, kt_tty_output);
	kt_echo_len = 0;
	kt_tty_feed(&tty, "ab");
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == (size_t)-1); /* no line yet */
	kt_tty_feed(&tty, "x\x7f"
			  "c\r");
	KT_EXPECT(strcmp(kt_echo, "abx\b \bc\r\n") == 0);
	KT_EXPECT(kt_tty_take(&tty, buf, 2) == 2 && !strcmp(buf, "ab"));
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == 2 && !strcmp(buf, "c\n"));
	kt_tty_feed(&tty, "junk\x15ok\x04\x04more\n");
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == 2 && !strcmp(buf, "ok"));
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == 0); /* ^D on an empty line: EOF */
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == 5 && !strcmp(buf, "more\n"));
	kt_echo_len = 0;
	kt_tty_feed(&tty, "\x03");
	KT_EXPECT(strcmp(kt_echo, "^C") == 0);
	kt_echo_len = 0;
	tty_output(&tty, "a\nb", 3);
	KT_EXPECT(strcmp(kt_echo, "a\r\nb") == 0);
}

KTEST(vfs_tty_raw)
{
	static struct tty tty;
	char buf[32];
	tty_init(&tty, kt_tty_output);
	kt_tty_feed(&tty, "pen");
	struct termios t = tty.termios;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_oflag &= ~OPOST;
	spin_lock(&tty.lock);
	tty_set_termios_locked(&tty, &t);
	spin_unlock(&tty.lock);
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == 3 && !strcmp(buf, "pen"));
	kt_echo_len = 0;
	kt_tty_feed(&tty, "\x7fq\r");
	KT_EXPECT(kt_echo_len == 0);
	KT_EXPECT(kt_tty_take(&tty, buf, 2) == 2 && !memcmp(buf, "\x7fq", 2));
	KT_EXPECT(kt_tty_take(&tty, buf, sizeof(buf)) == 1 && buf[0] == '\n');
	tty_output(&tty, "\n", 1);
	KT_EXPECT(kt_echo_len == 1 && kt_echo[0] == '\n');
}

/* Append one newc entry (inode number ino, nlink links) to a test archive. */
static size_t kt_cpio_entry(char *a, size_t off, const char *name, u32 mode, const char *data,
			    u32 ino, u32 nlink)
{
	size_t nlen = strlen(name) + 1, dlen = data ? strlen(data) : 0;
	off += snprintf(a + off, 111, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
			ino, mode, 0u, 0u, nlink, 1234567890u, (u32)dlen, 0u, 0u, 0u, 0u, (u32)nlen,
			0u);
	memcpy(a + off, name, nlen);
	off = ALIGN_UP(off + nlen, 4);
	memcpy(a + off, data, dlen);
	return ALIGN_UP(off + dlen, 4);
}

static size_t kt_cpio_add(char *a, size_t off, const char *name, u32 mode, const char *data)
{
	static u32 ino = 100;
	return kt_cpio_entry(a, off, name, mode, data, ino++, 1);
}

KTEST(vfs_initramfs_unpack)
{
	struct path_start at = { vfs_root(), vfs_root() };
	char *a = kzalloc(4096);
	if (!a || vfs_mkdirat(&at, "/tmp/ird", 0755))
		return;
	size_t off = kt_cpio_add(a, 0, ".", S_IFDIR | 0755, NULL);
	off = kt_cpio_add(a, off, "./etc", S_IFDIR | 0700, NULL);
	off = kt_cpio_add(a, off, "./etc/motd", S_IFREG | 0644, "hi there\n");
	off = kt_cpio_add(a, off, "bin/sh", S_IFLNK | 0777, "busybox");	       /* parent missing */
	off = kt_cpio_add(a, off, "etc", S_IFDIR | 0755, NULL);		       /* again */
	off = kt_cpio_add(a, off, "./etc/motd", S_IFREG | 0600, "new\n");      /* replaced */
	off = kt_cpio_add(a, off, "dev/fifo", S_IFIFO | 0644, NULL);	       /* skipped */
	off = kt_cpio_entry(a, off, "h1", S_IFREG | 0644, NULL, 7, 2);	       /* hard links, */
	off = kt_cpio_entry(a, off, "etc/h2", S_IFREG | 0644, "shared", 7, 2); /* data last */
	off = kt_cpio_add(a, off, "TRAILER!!!", 0, NULL);
	struct inode *dir = vfs_lookupat(&at, "/tmp/ird", 0);
	KT_EXPECT(!IS_ERR(dir) && initramfs_unpack_at(dir, a, off) == 0);
	struct kstat st;
	char buf[32];
	KT_EXPECT(vfs_statat(&at, "/tmp/ird/etc", 0, &st) == 0 && (st.mode & 07777) == 0755);
	KT_EXPECT(st.mtime.tv_sec == 1234567890);
	KT_EXPECT(vfs_statat(&at, "/tmp/ird/etc/motd", 0, &st) == 0 && st.size == 4);
	KT_EXPECT((st.mode & 07777) == 0600 && st.mtime.tv_sec == 1234567890);
	KT_EXPECT(vfs_readlinkat(&at, "/tmp/ird/bin/sh", buf, sizeof(buf)) == 7);
	KT_EXPECT(vfs_statat(&at, "/tmp/ird/dev/fifo", 0, &st) == -ENOENT);
	KT_EXPECT(vfs_statat(&at, "/tmp/ird/h1", 0, &st) == 0 && st.nlink == 2 && st.size == 6);
	u64 ino = st.ino;
	KT_EXPECT(vfs_statat(&at, "/tmp/ird/etc/h2", 0, &st) == 0 && st.ino == ino);
	KT_EXPECT(initramfs_unpack_at(dir, a, off - 8) == -EINVAL); /* truncated */
	a[0] = 'X';
	KT_EXPECT(initramfs_unpack_at(dir, a, off) == -EINVAL);
	inode_put(dir);
	kfree(a);
}

/* kmain unpacked the real initramfs before the tests: qrun's argv file is in it. */
KTEST(vfs_initramfs_real)
{
	struct path_start at = { vfs_root(), vfs_root() };
	struct file *f = vfs_openat(&at, "/etc/qrun.argv", O_RDONLY, 0);
	char buf[8] = { 0 };
	KT_EXPECT(!IS_ERR(f) && kernel_read(f, buf, 6, 0) == 6 && !strcmp(buf, "ktest"));
	if (!IS_ERR(f))
		file_put(f);
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, "/tmp", 0, &st) == 0 && (st.mode & 07777) == 01777);
	KT_EXPECT(vfs_statat(&at, "/dev/console", 0, &st) == 0 && S_ISCHR(st.mode));
	KT_EXPECT(vfs_statat(&at, "/bin", 0, &st) == 0 && S_ISDIR(st.mode));
}

KTEST(vfs_realtime)
{
	KT_EXPECT(realtime_from_civil(1970, 1, 1, 0, 0, 0) == 0);
	KT_EXPECT(realtime_from_civil(2000, 3, 1, 0, 0, 0) == 951868800);
	KT_EXPECT(realtime_from_civil(2024, 2, 29, 23, 59, 59) == 1709251199);
	s64 now = realtime_ns();
	KT_EXPECT(now > 1600000000ll * 1000000000ll); /* the RTC says after 2020 */
	KT_EXPECT(realtime_ns() >= now);
}
