/*
 * Bringing the filesystem up: the root directory, /dev with its device
 * nodes and a world-writable /tmp, before the initramfs is unpacked on top.
 */
#include <fs/dev.h>
#include <fs/ramfs.h>
#include <lib/printk.h>
#include <lib/realtime.h>
#include <uapi/errno.h>

static struct inode *vfs_root_inode;
/* Unranked: only held at boot (or by tests) around the one-time setup. */
static struct spinlock vfs_init_lock = SPINLOCK_INIT("vfs_init", LOCK_RANK_NONE);

/* The standard directories and device nodes under a fresh root. */
static void vfs_populate(struct inode *root)
{
	struct path_start at = { .root = root, .dir = root };
	int r = dev_create_nodes(&at);
	if (r)
		printk("vfs: cannot create /dev nodes: error %d\n", r);
	r = vfs_mkdirat(&at, "/tmp", 01777);
	if (r && r != -EEXIST)
		printk("vfs: cannot create /tmp: error %d\n", r);
}

void vfs_init(void)
{
	spin_lock(&vfs_init_lock);
	if (!vfs_root_inode) {
		realtime_init();
		struct inode *root = ramfs_inode_new(S_IFDIR | 0755, 0);
		if (!root)
			panic("vfs: no memory for the root directory");
		root->dir.parent = root;
		root->nlink = 2;
		vfs_populate(root);
		__atomic_store_n(&vfs_root_inode, root, __ATOMIC_RELEASE);
	}
	spin_unlock(&vfs_init_lock);
}

/* Set up on first use, so early callers (fs_alloc) cannot see NULL. */
struct inode *vfs_root(void)
{
	struct inode *root = __atomic_load_n(&vfs_root_inode, __ATOMIC_ACQUIRE);
	if (root)
		return root;
	vfs_init();
	return vfs_root_inode;
}
