/*
 * Shared anonymous memory. MAP_SHARED|MAP_ANONYMOUS must stay shared with
 * fork children for pages first touched AFTER the fork, which sharing
 * PTEs alone cannot do. So, as Linux does, such a mapping is backed by an
 * object that owns its pages: an unlinked ramfs file (no name, nlink 0),
 * mapped MAP_SHARED like any file. Its pages are the page cache of that
 * inode; every VMA mapping it (fork copies, mremap moves) holds a file
 * reference, and the last one to go frees the pages.
 */
#include <fs/ramfs.h>
#include <fs/vfs.h>
#include <mm/filemap.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/*
 * The size is set before anyone else can see the inode, so no lock is
 * needed; faults beyond it (after an mremap grew the mapping) get SIGBUS,
 * as on Linux.
 */
struct file *shmem_file_create(u64 len_bytes)
{
	struct inode *inode = ramfs_inode_new(S_IFREG | 0600, 0);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->size_bytes = len_bytes;
	return vfs_open_inode(inode, O_RDWR);
}
