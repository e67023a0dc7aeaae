/*
 * yamltree.h - a YAML document as a tree of nodes that remember where they
 * were written, and typed accessors that fail with file:line:column.
 *
 * libyaml's event stream is turned into this tree once (yaml_tree_parse);
 * spec.c and the fixture expectations (expect.c) then walk the tree. Every
 * accessor that can fail fills a struct error located at the node.
 * Anchors/aliases and tags are rejected: specs are plain data.
 *
 * Ownership: the root owns the whole tree; ynode_free(root) releases it.
 */
#ifndef GRADER_YAMLTREE_H
#define GRADER_YAMLTREE_H

#include <stddef.h>

#include "error.h"

enum ynode_type { YNODE_SCALAR = 0, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_type type;
	int line, col;       /* 1-based, where the node starts */
	const char *file;    /* the document's path (shared, owned by the root) */
	char *value;         /* SCALAR: bytes, NUL-terminated */
	size_t len;          /* SCALAR: length (may contain NUL bytes) */
	int plain;           /* SCALAR: written unquoted (so `null`, `true`,
				numbers are typed); 0 when quoted or block */
	size_t n;            /* SEQ: number of items; MAP: number of pairs */
	struct ynode **items; /* SEQ: items[i]; MAP: key items[2i], value items[2i+1] */
};

/* Parses one document. An empty document yields an empty map. Returns 0, or
 * -1 with e located at the syntax error. Duplicate keys in a mapping are an
 * error. */
int yaml_tree_parse(const char *text, size_t len, const char *path,
		    struct ynode **root, struct error *e);
void ynode_free(struct ynode *root);

/* MAP: the value for key, or NULL. */
struct ynode *ymap_get(const struct ynode *map, const char *key);

/* MAP: the key node of key (for errors located at the key), or NULL. */
struct ynode *ymap_key(const struct ynode *map, const char *key);

/* 1 if n is a plain scalar meaning "no value": empty, `~` or `null`. */
int ynode_is_null(const struct ynode *n);

/* "a mapping", "a list", or the scalar quoted and shortened ('many', an
 * empty value): what error messages say they got instead. */
void ynode_describe(const struct ynode *n, char *out, size_t outsz);

/* Fails unless node is of the type; returns 0 or -1 (e located at node). */
int ynode_expect(const struct ynode *node, enum ynode_type type,
		 const char *what, struct error *e);

/* Checks that every key of map is in the NULL-terminated list `allowed`;
 * an unknown key is an error at that key ("unknown key 'x' in test; expected
 * one of: ..."). */
int ymap_check_keys(const struct ynode *map, const char *const *allowed,
		    const char *what, struct error *e);

/* Typed scalars. Each fails with a located error naming `what` and saying
 * what was expected ("f.yaml:3:9: points: expected a number, got 'many'").
 * Numbers, sizes and durations may be quoted; a bool must be a plain
 * true/false/yes/no. ynode_string() refuses null and text with NUL bytes
 * (use n->value/n->len directly where NUL bytes are meaningful). */
int ynode_string(const struct ynode *n, const char *what, char **out,
		 struct error *e); /* copy; caller frees */
int ynode_int(const struct ynode *n, const char *what, long long *out,
	      struct error *e);
int ynode_double(const struct ynode *n, const char *what, double *out,
		 struct error *e);
int ynode_bool(const struct ynode *n, const char *what, int *out,
	       struct error *e);
/* A size such as 64K, 8M (util.h parse_size) or a plain number of bytes. */
int ynode_size(const struct ynode *n, const char *what, long long *out,
	       struct error *e);
/* A duration such as 10, 2.5s, 500ms (util.h parse_duration). */
int ynode_duration(const struct ynode *n, const char *what, double *out,
		   struct error *e);
/* A sequence of scalars (or a single scalar) as a NULL-terminated array of
 * strings; caller frees each and the array. A null value (`key:` with
 * nothing after it) is an empty list. */
int ynode_string_list(const struct ynode *n, const char *what, char ***out,
		      size_t *count, struct error *e);

#endif
