/*
 * VFS self-tests through the kernel API. Each test works in its own fresh
 * directory under /tmp and removes nothing it does not need to, so the
 * tests are independent of each other and of the real initramfs.
 */
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <test/ktest.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* A fresh /tmp/<name> to work in; at->dir is it, at->root the real root. */
static bool kt_setup(const char *name, struct path_start *at)
{
	char path[64];
	struct path_start root = { vfs_root(), vfs_root() };
	snprintf(path, sizeof(path), "/tmp/%s", name);
	int r = vfs_mkdirat(&root, path, 0755);
	KT_EXPECT(r == 0);
	at->root = inode_get(vfs_root());
	at->dir = vfs_lookupat(&root, path, 0);
	KT_EXPECT(!IS_ERR(at->dir));
	return r == 0 && !IS_ERR(at->dir);
}

/* Create path with contents s; 0 or -errno. */
static int kt_write_file(struct path_start *at, const char *path, const char *s)
{
	struct file *f = vfs_openat(at, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (IS_ERR(f))
		return PTR_ERR(f);
	u64 pos = 0;
	ssize_t n = vfs_write(f, s, strlen(s), &pos);
	file_put(f);
	return n < 0 ? n : 0;
}

/* Read all of path (up to len-1 bytes) into buf as a string; bytes or -errno. */
static ssize_t kt_read_file(struct path_start *at, const char *path, char *buf, size_t len)
{
	struct file *f = vfs_openat(at, path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ssize_t n = kernel_read(f, buf, len - 1, 0);
	file_put(f);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

static long kt_open_err(struct path_start *at, const char *path, int flags)
{
	struct file *f = vfs_openat(at, path, flags, 0644);
	if (IS_ERR(f))
		return PTR_ERR(f);
	file_put(f);
	return 0;
}

static u64 kt_ino(struct path_start *at, const char *path, int flags)
{
	struct kstat st;
	return vfs_statat(at, path, flags, &st) ? 0 : st.ino;
}

KTEST(vfs_init_tree)
{
	struct path_start at = { vfs_root(), vfs_root() };
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, "/", 0, &st) == 0 && S_ISDIR(st.mode));
	KT_EXPECT(vfs_statat(&at, "/tmp", 0, &st) == 0 && (st.mode & 07777) == 01777);
	KT_EXPECT(vfs_statat(&at, "/dev/null", 0, &st) == 0 && S_ISCHR(st.mode));
	KT_EXPECT(st.rdev == makedev(1, 3));
	KT_EXPECT(vfs_statat(&at, "/dev/console", 0, &st) == 0 && st.rdev == makedev(5, 1));
	KT_EXPECT(vfs_statat(&at, "/..", 0, &st) == 0 && st.ino == kt_ino(&at, "/", 0));
}

KTEST(vfs_file_rw_seek)
{
	struct path_start at;
	char buf[64];
	if (!kt_setup("rw", &at))
		return;
	struct file *f = vfs_openat(&at, "f", O_RDWR | O_CREAT | O_EXCL, 0600);
	KT_EXPECT(!IS_ERR(f));
	if (IS_ERR(f))
		return;
	u64 pos = 0;
	KT_EXPECT(vfs_write(f, "hello world", 11, &pos) == 11 && pos == 11);
	KT_EXPECT(generic_llseek(f, 6, SEEK_SET) == 6);
	KT_EXPECT(vfs_llseek(f, -5, SEEK_END) == 6);
	KT_EXPECT(vfs_llseek(f, -7, SEEK_CUR) == -EINVAL);
	KT_EXPECT(vfs_llseek(f, 0, 99) == -EINVAL);
	pos = 6;
	KT_EXPECT(vfs_read(f, buf, sizeof(buf), &pos) == 5 && memcmp(buf, "world", 5) == 0);
	KT_EXPECT(vfs_read(f, buf, sizeof(buf), &pos) == 0);
	pos = 8192 + 10; /* a hole, then data in the third page */
	KT_EXPECT(vfs_write(f, "X", 1, &pos) == 1);
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, "f", 0, &st) == 0 && st.size == 8203 && st.blocks == 16);
	KT_EXPECT(st.blksize == 4096 && (st.mode & 0777) == 0600 && st.nlink == 1);
	KT_EXPECT(kernel_read(f, buf, 4, 4096) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0);
	KT_EXPECT(vfs_llseek(f, 100, SEEK_DATA) == 100 && vfs_llseek(f, 100, SEEK_HOLE) == 8203);
	KT_EXPECT(vfs_llseek(f, 9000, SEEK_DATA) == -ENXIO);
	KT_EXPECT(vfs_getdents(f, buf, sizeof(buf), &pos) == -ENOTDIR);
	file_put(f);
	KT_EXPECT(kt_open_err(&at, "f", O_RDONLY | O_CREAT | O_EXCL) == -EEXIST);
	KT_EXPECT(kt_open_err(&at, "f", O_RDONLY | O_DIRECTORY) == -ENOTDIR);
	KT_EXPECT(kt_open_err(&at, "f/", O_RDONLY) == -ENOTDIR);
	KT_EXPECT(kt_open_err(&at, "f/", O_RDONLY | O_CREAT) == -EISDIR);
	KT_EXPECT(kt_open_err(&at, "nope", O_RDONLY) == -ENOENT);
	KT_EXPECT(kt_open_err(&at, "new/", O_RDWR | O_CREAT) == -EISDIR);
	path_start_put(&at);
}

KTEST(vfs_access_modes)
{
	struct path_start at;
	char buf[8];
	if (!kt_setup("acc", &at))
		return;
	KT_EXPECT(kt_write_file(&at, "f", "abc") == 0);
	struct file *f = vfs_openat(&at, "f", O_RDONLY, 0);
	u64 pos = 0;
	KT_EXPECT(!IS_ERR(f) && vfs_write(f, "x", 1, &pos) == -EBADF);
	KT_EXPECT(vfs_ftruncate(f, 0) == -EINVAL);
	file_put(f);
	f = vfs_openat(&at, "f", O_WRONLY | O_APPEND, 0);
	KT_EXPECT(!IS_ERR(f) && vfs_read(f, buf, 1, &pos) == -EBADF);
	KT_EXPECT(vfs_write(f, "de", 2, &pos) == 2 && pos == 5);
	file_put(f);
	KT_EXPECT(kt_read_file(&at, "f", buf, sizeof(buf)) == 5 && strcmp(buf, "abcde") == 0);
	KT_EXPECT(kt_open_err(&at, ".", O_WRONLY) == -EISDIR);
	KT_EXPECT(kt_open_err(&at, ".", O_RDONLY | O_CREAT) == -EISDIR);
	f = vfs_openat(&at, ".", O_RDONLY, 0);
	pos = 0;
	KT_EXPECT(!IS_ERR(f) && vfs_read(f, buf, 1, &pos) == -EISDIR);
	file_put(f);
	f = vfs_openat(&at, "f", O_PATH, 0);
	KT_EXPECT(!IS_ERR(f) && vfs_read(f, buf, 1, &pos) == -EBADF);
	KT_EXPECT(vfs_llseek(f, 0, SEEK_SET) == -EBADF);
	file_put(f);
	KT_EXPECT(vfs_chmodat(&at, "f", 0644, 0) == 0);
	KT_EXPECT(vfs_accessat(&at, "f", R_OK | W_OK, 0) == 0);
	KT_EXPECT(vfs_accessat(&at, "f", X_OK, 0) == -EACCES);
	KT_EXPECT(vfs_accessat(&at, ".", X_OK, 0) == 0);
	KT_EXPECT(vfs_accessat(&at, "f", 8, 0) == -EINVAL);
	path_start_put(&at);
}

KTEST(vfs_truncate)
{
	struct path_start at;
	char buf[16];
	if (!kt_setup("trunc", &at))
		return;
	KT_EXPECT(kt_write_file(&at, "f", "0123456789") == 0);
	KT_EXPECT(vfs_truncateat(&at, "f", 4) == 0);
	KT_EXPECT(vfs_truncateat(&at, "f", 8) == 0);
	KT_EXPECT(kt_read_file(&at, "f", buf, sizeof(buf)) == 8);
	KT_EXPECT(memcmp(buf, "0123\0\0\0\0", 8) == 0); /* the cut tail does not come back */
	KT_EXPECT(vfs_truncateat(&at, "f", -1) == -EINVAL);
	KT_EXPECT(vfs_truncateat(&at, ".", 0) == -EISDIR);
	KT_EXPECT(vfs_truncateat(&at, "f", RAMFS_MAX_FILE_BYTES + 1) == -EFBIG);
	struct file *f = vfs_openat(&at, "f", O_WRONLY | O_TRUNC, 0);
	KT_EXPECT(!IS_ERR(f) && f->inode->size_bytes == 0);
	KT_EXPECT(vfs_ftruncate(f, 5000) == 0 && f->inode->size_bytes == 5000);
	file_put(f);
	path_start_put(&at);
}

KTEST(vfs_lookup_dots_symlinks)
{
	struct path_start at;
	char buf[64];
	if (!kt_setup("lookup", &at))
		return;
	KT_EXPECT(vfs_mkdirat(&at, "a", 0755) == 0);
	KT_EXPECT(vfs_mkdirat(&at, "a/b", 0755) == 0);
	KT_EXPECT(kt_write_file(&at, "a/b/f", "data") == 0);
	u64 ino = kt_ino(&at, "a/b/f", 0);
	KT_EXPECT(ino && kt_ino(&at, "a//b/./../b/f", 0) == ino);
	KT_EXPECT(kt_ino(&at, "/tmp/lookup/a/b/f", 0) == ino);
	KT_EXPECT(kt_ino(&at, "/../../tmp/lookup/a/b/f", 0) == ino);
	KT_EXPECT(vfs_symlinkat("a/b", &at, "lb") == 0);
	KT_EXPECT(vfs_symlinkat("/tmp/lookup/a/b/f", &at, "abs") == 0);
	KT_EXPECT(vfs_symlinkat("b/f", &at, "a/rel") == 0);
	KT_EXPECT(vfs_symlinkat("dangling", &at, "dl") == 0);
	KT_EXPECT(vfs_symlinkat("loop2", &at, "loop1") == 0);
	KT_EXPECT(vfs_symlinkat("loop1", &at, "loop2") == 0);
	KT_EXPECT(kt_ino(&at, "lb/f", 0) == ino && kt_ino(&at, "abs", 0) == ino);
	KT_EXPECT(kt_ino(&at, "a/rel", 0) == ino);
	KT_EXPECT(kt_ino(&at, "lb", AT_SYMLINK_NOFOLLOW) != kt_ino(&at, "lb", 0));
	KT_EXPECT(kt_ino(&at, "lb/", AT_SYMLINK_NOFOLLOW) == kt_ino(&at, "a/b", 0));
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, "dl", 0, &st) == -ENOENT);
	KT_EXPECT(vfs_statat(&at, "dl", AT_SYMLINK_NOFOLLOW, &st) == 0 && S_ISLNK(st.mode));
	KT_EXPECT(st.size == 8);
	KT_EXPECT(vfs_statat(&at, "loop1", 0, &st) == -ELOOP);
	KT_EXPECT(vfs_statat(&at, "loop1/x", AT_SYMLINK_NOFOLLOW, &st) == -ELOOP);
	KT_EXPECT(vfs_statat(&at, "a/b/f/x", 0, &st) == -ENOTDIR);
	KT_EXPECT(vfs_statat(&at, "a/x/f", 0, &st) == -ENOENT);
	KT_EXPECT(vfs_statat(&at, "", 0, &st) == -ENOENT);
	KT_EXPECT(vfs_statat(&at, "", AT_EMPTY_PATH, &st) == 0 && st.ino == kt_ino(&at, ".", 0));
	KT_EXPECT(vfs_readlinkat(&at, "a/rel", buf, sizeof(buf)) == 3 && !memcmp(buf, "b/f", 3));
	KT_EXPECT(vfs_readlinkat(&at, "a/rel", buf, 2) == 2);
	KT_EXPECT(vfs_readlinkat(&at, "a", buf, sizeof(buf)) == -EINVAL);
	KT_EXPECT(kt_open_err(&at, "lb", O_RDONLY | O_NOFOLLOW) == -ELOOP);
	KT_EXPECT(kt_open_err(&at, "lb", O_PATH | O_NOFOLLOW) == 0);
	/* O_CREAT through a dangling symlink creates its target. */
	KT_EXPECT(kt_open_err(&at, "dl", O_WRONLY | O_CREAT) == 0);
	KT_EXPECT(kt_ino(&at, "dangling", 0) != 0);
	KT_EXPECT(kt_open_err(&at, "lb", O_WRONLY | O_CREAT | O_EXCL) == -EEXIST);
	path_start_put(&at);
}

KTEST(vfs_name_limits)
{
	struct path_start at;
	if (!kt_setup("limits", &at))
		return;
	char *p = kmalloc(PATH_MAX + 16, 0);
	if (!p)
		return;
	memset(p, 'n', NAME_MAX + 1);
	p[NAME_MAX + 1] = 0;
	KT_EXPECT(vfs_mkdirat(&at, p, 0755) == -ENAMETOOLONG);
	p[NAME_MAX] = 0;
	KT_EXPECT(vfs_mkdirat(&at, p, 0755) == 0);
	KT_EXPECT(vfs_unlinkat(&at, p, AT_REMOVEDIR) == 0);
	for (int i = 0; i < PATH_MAX + 8; i++)
		p[i] = i % 2 ? '/' : 'x';
	p[PATH_MAX + 8] = 0;
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, p, 0, &st) == -ENAMETOOLONG);
	kfree(p);
	KT_EXPECT(vfs_symlinkat("", &at, "empty") == -ENOENT);
	/* 40 links in a chain resolve; the 41st is ELOOP. */
	char name[16], target[16];
	KT_EXPECT(kt_write_file(&at, "l0", "") == 0);
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(target, sizeof(target), "l%d", i - 1);
		KT_EXPECT(vfs_symlinkat(target, &at, name) == 0);
	}
	KT_EXPECT(vfs_statat(&at, "l40", 0, &st) == 0 && S_ISREG(st.mode));
	KT_EXPECT(vfs_statat(&at, "l41", 0, &st) == -ELOOP);
	path_start_put(&at);
}

KTEST(vfs_mkdir_rmdir_unlink)
{
	struct path_start at;
	if (!kt_setup("dirs", &at))
		return;
	struct kstat st;
	KT_EXPECT(vfs_mkdirat(&at, "d", 0755) == 0);
	KT_EXPECT(vfs_mkdirat(&at, "d", 0755) == -EEXIST);
	KT_EXPECT(vfs_mkdirat(&at, "d/", 0755) == -EEXIST);
	KT_EXPECT(vfs_mkdirat(&at, "e/", 0700) == 0);
	KT_EXPECT(vfs_mkdirat(&at, ".", 0755) == -EEXIST);
	KT_EXPECT(vfs_mkdirat(&at, "x/y", 0755) == -ENOENT);
	KT_EXPECT(vfs_statat(&at, ".", 0, &st) == 0 && st.nlink == 4);
	KT_EXPECT(vfs_mkdirat(&at, "d/sub", 0755) == 0);
	KT_EXPECT(kt_write_file(&at, "f", "x") == 0);
	KT_EXPECT(vfs_mkdirat(&at, "f/sub", 0755) == -ENOTDIR);
	KT_EXPECT(vfs_unlinkat(&at, "d", AT_REMOVEDIR) == -ENOTEMPTY);
	KT_EXPECT(vfs_unlinkat(&at, "d", 0) == -EISDIR);
	KT_EXPECT(vfs_unlinkat(&at, "f", AT_REMOVEDIR) == -ENOTDIR);
	KT_EXPECT(vfs_unlinkat(&at, "f/", 0) == -ENOTDIR);
	KT_EXPECT(vfs_unlinkat(&at, ".", AT_REMOVEDIR) == -EINVAL);
	KT_EXPECT(vfs_unlinkat(&at, "d/..", AT_REMOVEDIR) == -ENOTEMPTY);
	KT_EXPECT(vfs_unlinkat(&at, "/", AT_REMOVEDIR) == -EBUSY);
	KT_EXPECT(vfs_unlinkat(&at, ".", 0) == -EISDIR);
	KT_EXPECT(vfs_unlinkat(&at, "nope", 0) == -ENOENT);
	KT_EXPECT(vfs_unlinkat(&at, "f", 0x8000) == -EINVAL);
	KT_EXPECT(vfs_unlinkat(&at, "d/sub/", AT_REMOVEDIR) == 0);
	KT_EXPECT(vfs_unlinkat(&at, "d", AT_REMOVEDIR) == 0);
	KT_EXPECT(vfs_unlinkat(&at, "f", 0) == 0);
	KT_EXPECT(vfs_statat(&at, "f", 0, &st) == -ENOENT);
	KT_EXPECT(vfs_statat(&at, ".", 0, &st) == 0 && st.nlink == 3);
	/* A removed directory still open as a cwd: "." and ".." work, creation fails. */
	struct path_start in = { inode_get(vfs_root()), vfs_lookupat(&at, "e", 0) };
	KT_EXPECT(!IS_ERR(in.dir));
	KT_EXPECT(vfs_unlinkat(&at, "e", AT_REMOVEDIR) == 0);
	KT_EXPECT(vfs_statat(&in, ".", 0, &st) == 0 && st.nlink == 0);
	KT_EXPECT(vfs_statat(&in, "..", 0, &st) == 0 && st.ino == kt_ino(&at, ".", 0));
	KT_EXPECT(kt_open_err(&in, "new", O_RDWR | O_CREAT) == -ENOENT);
	KT_EXPECT(vfs_mkdirat(&in, "new", 0755) == -ENOENT);
	path_start_put(&in);
	path_start_put(&at);
}

KTEST(vfs_rename)
{
	struct path_start at;
	char buf[16];
	if (!kt_setup("ren", &at))
		return;
	KT_EXPECT(kt_write_file(&at, "a", "AAA") == 0);
	KT_EXPECT(kt_write_file(&at, "b", "BBB") == 0);
	u64 ino_a = kt_ino(&at, "a", 0);
	KT_EXPECT(vfs_renameat(&at, "a", &at, "b", 0) == 0);
	KT_EXPECT(kt_ino(&at, "b", 0) == ino_a && kt_ino(&at, "a", 0) == 0);
	KT_EXPECT(kt_read_file(&at, "b", buf, sizeof(buf)) == 3 && !strcmp(buf, "AAA"));
	KT_EXPECT(vfs_renameat(&at, "a", &at, "c", 0) == -ENOENT);
	KT_EXPECT(vfs_renameat(&at, "b", &at, "b", 0) == 0);
	KT_EXPECT(vfs_mkdirat(&at, "d", 0755) == 0);
	KT_EXPECT(vfs_mkdirat(&at, "d/e", 0755) == 0);
	KT_EXPECT(vfs_mkdirat(&at, "empty", 0755) == 0);
	KT_EXPECT(vfs_renameat(&at, "d", &at, "d/e/x", 0) == -EINVAL);
	KT_EXPECT(vfs_renameat(&at, "d", &at, "d", 0) == 0);
	KT_EXPECT(vfs_renameat(&at, "b", &at, "d", 0) == -EISDIR);
	KT_EXPECT(vfs_renameat(&at, "d", &at, "b", 0) == -ENOTDIR);
	KT_EXPECT(vfs_renameat(&at, "empty", &at, "d", 0) == -ENOTEMPTY);
	KT_EXPECT(vfs_renameat(&at, "b/", &at, "c", 0) == -ENOTDIR);
	KT_EXPECT(vfs_renameat(&at, "b", &at, "c/", 0) == -ENOTDIR);
	KT_EXPECT(vfs_renameat(&at, ".", &at, "c", 0) == -EBUSY);
	/* A directory moves between parents: nlink and ".." follow it. */
	KT_EXPECT(vfs_renameat(&at, "d/e", &at, "empty/e2", 0) == 0);
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, "d", 0, &st) == 0 && st.nlink == 2);
	KT_EXPECT(vfs_statat(&at, "empty", 0, &st) == 0 && st.nlink == 3);
	KT_EXPECT(kt_ino(&at, "empty/e2/..", 0) == kt_ino(&at, "empty", 0));
	KT_EXPECT(vfs_renameat(&at, "d", &at, "empty/e2", 0) == 0); /* over an empty dir */
	KT_EXPECT(vfs_statat(&at, "empty", 0, &st) == 0 && st.nlink == 3);
	KT_EXPECT(kt_ino(&at, "d", 0) == 0);
	KT_EXPECT(kt_write_file(&at, "x", "X") == 0);
	KT_EXPECT(vfs_renameat(&at, "x", &at, "b", RENAME_NOREPLACE) == -EEXIST);
	KT_EXPECT(vfs_renameat(&at, "x", &at, "b", RENAME_EXCHANGE) == 0);
	KT_EXPECT(kt_read_file(&at, "b", buf, sizeof(buf)) == 1 && !strcmp(buf, "X"));
	KT_EXPECT(kt_read_file(&at, "x", buf, sizeof(buf)) == 3 && !strcmp(buf, "AAA"));
	KT_EXPECT(vfs_renameat(&at, "x", &at, "nope", RENAME_EXCHANGE) == -ENOENT);
	KT_EXPECT(vfs_renameat(&at, "x", &at, "b", RENAME_EXCHANGE | RENAME_NOREPLACE) == -EINVAL);
	KT_EXPECT(vfs_renameat(&at, "x", &at, "b", 0x40) == -EINVAL);
	path_start_put(&at);
}

KTEST(vfs_link_unlink_open)
{
	struct path_start at;
	char buf[16];
	if (!kt_setup("link", &at))
		return;
	KT_EXPECT(kt_write_file(&at, "f", "data") == 0);
	KT_EXPECT(vfs_linkat(&at, "f", &at, "g", 0) == 0);
	struct kstat st;
	KT_EXPECT(vfs_statat(&at, "g", 0, &st) == 0 && st.nlink == 2);
	KT_EXPECT(st.ino == kt_ino(&at, "f", 0));
	KT_EXPECT(vfs_linkat(&at, "f", &at, "g", 0) == -EEXIST);
	KT_EXPECT(vfs_linkat(&at, ".", &at, "h", 0) == -EPERM);
	KT_EXPECT(vfs_linkat(&at, "f", &at, "h/", 0) == -ENOENT);
	KT_EXPECT(vfs_linkat(&at, "f", &at, "g", 0x1) == -EINVAL);
	/* An open file outlives its last name. */
	struct file *f = vfs_openat(&at, "f", O_RDONLY, 0);
	KT_EXPECT(vfs_unlinkat(&at, "f", 0) == 0 && vfs_unlinkat(&at, "g", 0) == 0);
	KT_EXPECT(!IS_ERR(f) && kernel_read(f, buf, sizeof(buf), 0) == 4);
	KT_EXPECT(f->inode->nlink == 0);
	file_put(f);
	path_start_put(&at);
}

/* Collect the names getdents produces, "name," each, into out. */
static ssize_t kt_list(struct file *f, char *out, size_t out_len, size_t buf_len)
{
	char *buf = kmalloc(buf_len, 0);
	ssize_t n, total = 0;
	out[0] = 0;
	u64 pos = file_pos_get(f);
	while (buf && (n = vfs_getdents(f, buf, buf_len, &pos)) > 0) {
		file_pos_set(f, pos);
		for (ssize_t off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			size_t used = strlen(out);
			snprintf(out + used, out_len - used, "%s,", de->d_name);
			off += de->d_reclen;
			total++;
		}
	}
	kfree(buf);
	return buf && n < 0 ? n : total;
}

KTEST(vfs_getdents)
{
	struct path_start at;
	char names[256];
	if (!kt_setup("gd", &at))
		return;
	KT_EXPECT(kt_write_file(&at, "one", "") == 0);
	KT_EXPECT(vfs_mkdirat(&at, "two", 0755) == 0);
	KT_EXPECT(vfs_symlinkat("one", &at, "three") == 0);
	struct file *f = vfs_openat(&at, ".", O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(f))
		return;
	KT_EXPECT(kt_list(f, names, sizeof(names), 4096) == 5);
	KT_EXPECT(strcmp(names, ".,..,one,two,three,") == 0);
	/* Small buffers: one record per call, and the offsets are stable. */
	KT_EXPECT(vfs_llseek(f, 0, SEEK_SET) == 0);
	KT_EXPECT(kt_list(f, names, sizeof(names), 32) == 5);
	KT_EXPECT(strcmp(names, ".,..,one,two,three,") == 0);
	KT_EXPECT(vfs_llseek(f, 0, SEEK_END) == -EINVAL);
	/* Resume after "one" while entries come and go. */
	char buf[64];
	u64 pos = 0;
	KT_EXPECT(vfs_getdents(f, buf, 24, &pos) == 24 && pos == 1);	  /* "." */
	KT_EXPECT(vfs_getdents(f, buf, 10, &pos) == -EINVAL && pos == 1); /* too small for ".." */
	file_pos_set(f, pos);
	KT_EXPECT(vfs_unlinkat(&at, "two", AT_REMOVEDIR) == 0);
	KT_EXPECT(kt_write_file(&at, "four", "") == 0);
	KT_EXPECT(kt_list(f, names, sizeof(names), 4096) == 4);
	KT_EXPECT(strcmp(names, "..,one,three,four,") == 0);
	struct linux_dirent64 *de = (struct linux_dirent64 *)buf;
	pos = 2;
	KT_EXPECT(vfs_getdents(f, buf, sizeof(buf), &pos) > 0);
	KT_EXPECT(!strcmp(de->d_name, "one") && de->d_type == DT_REG);
	KT_EXPECT(de->d_ino == kt_ino(&at, "one", 0));
	file_put(f);
	path_start_put(&at);
}

KTEST(vfs_getcwd)
{
	struct path_start at;
	char buf[128];
	if (!kt_setup("cwd", &at))
		return;
	KT_EXPECT(vfs_mkdirat(&at, "a", 0755) == 0 && vfs_mkdirat(&at, "a/b", 0755) == 0);
	struct inode *b = vfs_lookupat(&at, "a/b", 0);
	KT_EXPECT(!IS_ERR(b));
	KT_EXPECT(vfs_getcwd(vfs_root(), b, buf, sizeof(buf)) == 13);
	KT_EXPECT(strcmp(buf, "/tmp/cwd/a/b") == 0);
	KT_EXPECT(vfs_getcwd(vfs_root(), b, buf, 12) == -ERANGE);
	KT_EXPECT(vfs_getcwd(vfs_root(), b, buf, 13) == 13);
	KT_EXPECT(vfs_getcwd(vfs_root(), vfs_root(), buf, sizeof(buf)) == 2 && !strcmp(buf, "/"));
	KT_EXPECT(vfs_renameat(&at, "a", &at, "z", 0) == 0);
	KT_EXPECT(vfs_getcwd(vfs_root(), b, buf, sizeof(buf)) > 0);
	KT_EXPECT(strcmp(buf, "/tmp/cwd/z/b") == 0);
	KT_EXPECT(vfs_unlinkat(&at, "z/b", AT_REMOVEDIR) == 0);
	KT_EXPECT(vfs_getcwd(vfs_root(), b, buf, sizeof(buf)) == -ENOENT);
	inode_put(b);
	path_start_put(&at);
}

KTEST(vfs_devices)
{
	struct path_start at = { vfs_root(), vfs_root() };
	char buf[8] = "abcdefg";
	u64 pos = 0;
	struct file *f = vfs_openat(&at, "/dev/zero", O_RDWR, 0);
	KT_EXPECT(!IS_ERR(f) && vfs_read(f, buf, 4, &pos) == 4 && !memcmp(buf, "\0\0\0\0e", 5));
	KT_EXPECT(vfs_write(f, buf, 8, &pos) == 8 && vfs_llseek(f, 10, SEEK_SET) == 0);
	KT_EXPECT(vfs_ioctl(f, 0x5401, 0) == -ENOTTY);
	file_put(f);
	f = vfs_openat(&at, "/dev/null", O_RDWR, 0);
	KT_EXPECT(!IS_ERR(f) && vfs_read(f, buf, 4, &pos) == 0 && vfs_write(f, buf, 8, &pos) == 8);
	file_put(f);
	f = vfs_openat(&at, "/dev/full", O_WRONLY, 0);
	KT_EXPECT(!IS_ERR(f) && vfs_write(f, buf, 8, &pos) == -ENOSPC);
	file_put(f);
	f = vfs_openat(&at, "/dev/console", O_WRONLY, 0);
	KT_EXPECT(!IS_ERR(f) && vfs_llseek(f, 0, SEEK_SET) == -ESPIPE);
	KT_EXPECT(f->ops->is_stream);
	file_put(f);
	KT_EXPECT(vfs_mknodat(&at, "/tmp/baddev", S_IFCHR | 0600, makedev(99, 9)) == 0);
	KT_EXPECT(kt_open_err(&at, "/tmp/baddev", O_RDONLY) == -ENXIO);
	KT_EXPECT(vfs_unlinkat(&at, "/tmp/baddev", 0) == 0);
}

KTEST(vfs_exec_open)
{
	struct path_start at;
	u64 len = 0;
	if (!kt_setup("exec", &at))
		return;
	KT_EXPECT(kt_write_file(&at, "prog", "\177ELF") == 0);
	KT_EXPECT(PTR_ERR(vfs_open_exec("/tmp/exec/prog", &len)) == -EACCES);
	KT_EXPECT(vfs_chmodat(&at, "prog", 0755, 0) == 0);
	struct file *f = vfs_open_exec("/tmp/exec/prog", &len);
	KT_EXPECT(!IS_ERR(f) && len == 4);
	if (!IS_ERR(f))
		file_put(f);
	KT_EXPECT(PTR_ERR(vfs_open_exec("/tmp/exec", &len)) == -EACCES);
	KT_EXPECT(PTR_ERR(vfs_open_exec("/tmp/exec/none", &len)) == -ENOENT);
	path_start_put(&at);
}

/* Build and tear down a small tree; everything it allocated must come back. */
static void kt_churn(struct path_start *root)
{
	struct path_start at = { inode_get(vfs_root()), NULL };
	KT_EXPECT(vfs_mkdirat(root, "/tmp/leak", 0755) == 0);
	at.dir = vfs_lookupat(root, "/tmp/leak", 0);
	if (IS_ERR(at.dir)) {
		inode_put(at.root);
		return;
	}
	char big[512];
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = 0;
	KT_EXPECT(vfs_mkdirat(&at, "d", 0755) == 0 && kt_write_file(&at, "d/f", big) == 0);
	KT_EXPECT(vfs_truncateat(&at, "d/f", 3 * 4096 + 5) == 0);
	KT_EXPECT(vfs_symlinkat("d/f", &at, "s") == 0 && vfs_linkat(&at, "d/f", &at, "h", 0) == 0);
	KT_EXPECT(vfs_renameat(&at, "h", &at, "d/h2", 0) == 0);
	struct file *f = vfs_openat(&at, "s", O_RDWR | O_APPEND, 0);
	u64 pos = 0;
	KT_EXPECT(!IS_ERR(f) && vfs_write(f, big, 100, &pos) == 100);
	KT_EXPECT(vfs_unlinkat(&at, "d/f", 0) == 0 && vfs_unlinkat(&at, "d/h2", 0) == 0);
	if (!IS_ERR(f))
		file_put(f); /* the last reference: the data goes now */
	KT_EXPECT(vfs_unlinkat(&at, "s", 0) == 0 && vfs_unlinkat(&at, "d", AT_REMOVEDIR) == 0);
	path_start_put(&at);
	KT_EXPECT(vfs_unlinkat(root, "/tmp/leak", AT_REMOVEDIR) == 0);
}

KTEST(vfs_no_leaks)
{
	struct path_start root = { vfs_root(), vfs_root() };
	kt_churn(&root); /* warm the slab caches */
	kmalloc_shrink();
	u64 free0 = frame_free_count();
	kt_churn(&root);
	kmalloc_shrink();
	KT_EXPECT(frame_free_count() == free0);
}
