/*
 * Path lookup. The walk takes one component at a time from a path string.
 * A symlink is expanded by splicing: the path becomes the link's target
 * followed by whatever was left after the link's name (including a
 * trailing slash), and the walk carries on from the root or from the
 * link's directory. Splices alternate between two scratch buffers, so the
 * string being walked is never overwritten under the walker's feet.
 *
 * Everything runs under vfs_ns_lock, so no reference is taken on the
 * directories passed through.
 */
#include <fs/namei.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>

#define WALK_BUF_BYTES (2 * PATH_MAX) /* a target plus the rest of a path */

void walk_init(struct walk *w, const struct path_start *at, unsigned flags)
{
	*w = (struct walk){ .at = at, .flags = flags, .last = "" };
}

void walk_end(struct walk *w)
{
	kfree(w->buf[0]);
	kfree(w->buf[1]);
	w->buf[0] = w->buf[1] = NULL;
}

bool walk_can_create(const struct walk *w, int r)
{
	return r == -ENOENT && w->dir && !w->inode && w->last_type == LAST_NORMAL;
}

/* ".." of dir: stays put at the lookup root. A removed directory keeps its parent. */
static int walk_dotdot(struct walk *w, struct inode *dir, struct inode **out)
{
	*out = dir == w->at->root ? dir : dir->dir.parent;
	return 0;
}

/* Classify a component and resolve it inside dir. Sets *type; *out NULL if missing. */
static int walk_step(struct walk *w, struct inode *dir, const char *name, size_t len,
		     enum walk_last *type, struct inode **out)
{
	*out = NULL;
	if (len == 1 && name[0] == '.') {
		*type = LAST_DOT;
		*out = dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*type = LAST_DOTDOT;
		return walk_dotdot(w, dir, out);
	}
	*type = LAST_NORMAL;
	*out = dir->iops->lookup(dir, name, len);
	return *out ? 0 : -ENOENT;
}

/*
 * Replace the walked string with link's target followed by rest. Returns
 * the new string, or an ERR_PTR: -ELOOP past SYMLINK_MAX links, -ENOENT
 * for an empty target, -ENAMETOOLONG if the result does not fit.
 */
static const char *walk_splice(struct walk *w, struct inode *link, const char *rest)
{
	size_t tlen = strlen(link->symlink), rlen = strlen(rest);
	if (++w->nsymlinks > SYMLINK_MAX)
		return ERR_PTR(-ELOOP);
	if (!tlen)
		return ERR_PTR(-ENOENT);
	if (tlen + rlen + 1 > WALK_BUF_BYTES)
		return ERR_PTR(-ENAMETOOLONG);
	int next = !w->cur_buf;
	if (!w->buf[next] && !(w->buf[next] = kmalloc(WALK_BUF_BYTES, 0)))
		return ERR_PTR(-ENOMEM);
	memcpy(w->buf[next], link->symlink, tlen);
	memcpy(w->buf[next] + tlen, rest, rlen + 1);
	w->cur_buf = next;
	return w->buf[next];
}

/* Record the last component in w; the walk ends at it. */
static void walk_set_last(struct walk *w, struct inode *dir, const char *name, size_t len,
			  enum walk_last type, bool has_slash)
{
	w->dir = dir;
	w->last = name;
	w->last_len = len;
	w->last_type = type;
	w->has_trailing_slash = has_slash;
}

/* Should the walk expand this symlink? Always unless it is the last component. */
static bool walk_should_follow(const struct walk *w, bool is_last, bool has_slash)
{
	if (!is_last)
		return true;
	if (w->flags & WALK_PARENT)
		return false;
	return has_slash || (w->flags & WALK_FOLLOW);
}

/* The path names the directory dir itself ("/", or "" with WALK_EMPTY_OK). */
static int walk_names_dir(struct walk *w, struct inode *dir)
{
	walk_set_last(w, dir, "", 0, LAST_ROOT, false);
	w->inode = dir;
	return 0;
}

/* One component of a path: name[0, len), then end (its separator) and next. */
struct component {
	const char *name, *end, *next;
	size_t len;
	bool is_last;	/* nothing but slashes follows */
	bool has_slash; /* is_last, and followed by at least one slash */
};

static void walk_split(const char *p, struct component *c)
{
	c->name = p;
	for (c->end = p; *c->end && *c->end != '/'; c->end++)
		;
	for (c->next = c->end; *c->next == '/'; c->next++)
		;
	c->len = c->end - p;
	c->is_last = !*c->next;
	c->has_slash = c->is_last && c->next != c->end;
}

/* Resolve component c inside dir, recording it in w if it is the last. */
static int walk_component(struct walk *w, struct inode *dir, const struct component *c,
			  struct inode **child)
{
	enum walk_last type;
	if (c->len > NAME_MAX)
		return -ENAMETOOLONG;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	int r = walk_step(w, dir, c->name, c->len, &type, child);
	if (c->is_last)
		walk_set_last(w, dir, c->name, c->len, type, c->has_slash);
	return r;
}

/* The walk reached what the path names. A trailing slash demands a directory. */
static int walk_found(struct walk *w, struct inode *inode, bool has_slash)
{
	w->inode = inode;
	if (has_slash && !S_ISDIR(inode->mode) && !(w->flags & WALK_PARENT))
		return -ENOTDIR;
	return 0;
}

int walk_path(struct walk *w, const char *p)
{
	if (strnlen(p, PATH_MAX) == PATH_MAX)
		return -ENAMETOOLONG;
	if (!*p)
		return (w->flags & WALK_EMPTY_OK) ? walk_names_dir(w, w->at->dir) : -ENOENT;
	struct inode *dir = *p == '/' ? w->at->root : w->at->dir;
	for (;;) {
		struct component c;
		struct inode *child;
		while (*p == '/')
			p++;
		if (!*p)
			return walk_names_dir(w, dir);
		walk_split(p, &c);
		int r = walk_component(w, dir, &c, &child);
		if (r)
			return r;
		if (S_ISLNK(child->mode) && walk_should_follow(w, c.is_last, c.has_slash)) {
			w->dir = NULL; /* the last component will be the target's */
			if (IS_ERR(p = walk_splice(w, child, c.end)))
				return PTR_ERR(p);
			if (*p == '/')
				dir = w->at->root;
		} else if (c.is_last) {
			return walk_found(w, child, c.has_slash);
		} else if (!S_ISDIR(child->mode)) {
			return -ENOTDIR;
		} else {
			dir = child;
			p = c.next;
		}
	}
}
