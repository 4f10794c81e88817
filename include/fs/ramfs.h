/*
 * ramfs: the in-memory filesystem everything lives in. Directories keep
 * their entries in insertion order, each with a cookie that never changes,
 * so a getdents64 offset stays valid across calls while entries come and
 * go. Regular files keep their data in a page_array.
 */
#pragma once
#include <fs/vfs.h>

#define RAMFS_DEV 1 /* st_dev of every ramfs inode (device 0:1) */

/* A new unlinked ramfs inode of this mode (type and permissions), refcount 1. */
struct inode *ramfs_inode_new(u32 mode, u64 rdev);

extern const struct file_operations ramfs_file_fops;
extern const struct file_operations ramfs_dir_fops;
extern const struct inode_operations ramfs_file_iops;
