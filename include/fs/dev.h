/*
 * Character devices: a fixed table from device number to file ops, and
 * the /dev nodes vfs_init creates for them.
 */
#pragma once
#include <fs/vfs.h>

/* The file ops of character device rdev, or NULL if there is no such device (ENXIO). */
const struct file_operations *chrdev_fops(u64 rdev);
/* Create /dev and a node for every known device under at's root. */
int dev_create_nodes(const struct path_start *at);
