/*
 * Packed subtrees read as they are, without unpacking (packed.c holds the
 * string and says its form: per element 'E' name NUL, its content, 'X';
 * per text node 'T' text NUL): a child or a leaf's text for the list
 * index's keys and filters, and the serializer's walk of the string;
 * and a view of a few leaves of a container of leaves as nodes, for a
 * subtree filter that names them (packed_view).
 */
#include <string.h>

#include "tree_int.h"

/* Past the element whose content starts at p ('E' name NUL already read). */
static const char *
skip_element(const char *p)
{
	int depth = 1;

	while (depth > 0) {
		if (*p == 'X') {
			depth--;
			p++;
		} else {
			if (*p == 'E')
				depth++;
			p += strlen(p + 1) + 2;
		}
	}
	return p;
}

int
packed_next_child(const xmlNode *n, const char **pos, const char **cname,
    const char **text)
{
	size_t len;
	const char *data = packed_bytes(n, &len);
	const char *p = *pos != NULL ? *pos : data, *end = data + len;
	const char *content;
	int ntext = 0;

	while (p < end && *p == 'T')
		p += strlen(p + 1) + 2;		/* n's own text */
	if (p >= end)
		return 0;
	*cname = p + 1;
	content = *cname + strlen(*cname) + 1;
	*pos = skip_element(content);
	*text = "";
	for (const char *r = content; *r != 'X'; r += strlen(r + 1) + 2) {
		if (*r == 'E') {
			*text = NULL;
			return PACKED_ELEMENTS;
		}
		if (ntext++ == 0)
			*text = r + 1;
	}
	if (ntext > 1) {
		*text = NULL;
		return PACKED_TEXTS;
	}
	return PACKED_LEAF;
}

int
packed_child(const xmlNode *n, const char *name, const char **cname,
    const char **text)
{
	const char *pos = NULL;
	int kind;

	while ((kind = packed_next_child(n, &pos, cname, text)) != 0) {
		if (name != NULL && strcmp(name, *cname) != 0)
			continue;
		return kind == PACKED_TEXTS ? -1 : 1;
	}
	return 0;
}

int
packed_path_text(const xmlNode *n, const char *const *names, size_t nnames,
    const char **text)
{
	size_t len, lvl = 0;
	const char *p = packed_bytes(n, &len), *end = p + len;

	while (p < end && nnames > 0) {
		const char *nm, *content;
		int nt = 0;

		if (*p == 'T') {
			p += strlen(p + 1) + 2;
			continue;
		}
		if (*p == 'X')
			return 0;	/* the element searched in ends */
		nm = p + 1;
		content = nm + strlen(nm) + 1;
		if (strcmp(nm, names[lvl]) != 0) {
			p = skip_element(content);
			continue;
		}
		if (++lvl < nnames) {
			p = content;
			continue;
		}
		*text = "";
		for (const char *r = content; *r != 'X'; r += strlen(r + 1) + 2) {
			if (*r == 'E')
				return -1;
			if (nt++ == 0)
				*text = r + 1;
		}
		return nt > 1 ? -1 : 1;
	}
	return 0;
}

void
packed_write(const xmlNode *n, void (*put)(void *, const char *, size_t),
    void (*text)(void *, const char *), void *arg)
{
	size_t len, plen = 0;
	const char *p = packed_bytes(n, &len), *end = p + len;
	const char *names[PACKED_DEPTH + 1], *prefix = NULL;
	int sp = 0, open = 0;

	if (n->ns != NULL && n->ns->prefix != NULL) {
		prefix = (const char *)n->ns->prefix;
		plen = strlen(prefix);
	}
	while (p < end) {
		if (*p == 'X') {
			const char *nm = names[--sp];
			if (open)
				put(arg, "/>", 2);
			else {
				put(arg, "</", 2);
				if (prefix != NULL) {
					put(arg, prefix, plen);
					put(arg, ":", 1);
				}
				put(arg, nm, strlen(nm));
				put(arg, ">", 1);
			}
			open = 0;
			p++;
			continue;
		}
		if (open)
			put(arg, ">", 1);
		open = 0;
		if (*p == 'T')
			text(arg, p + 1);
		else {
			put(arg, "<", 1);
			if (prefix != NULL) {
				put(arg, prefix, plen);
				put(arg, ":", 1);
			}
			put(arg, p + 1, strlen(p + 1));
			names[sp++] = p + 1;
			open = 1;
		}
		p += strlen(p + 1) + 2;
	}
}

void *
packed_view(xmlNodePtr n, int (*want)(void *, const char *, int), void *arg, size_t max)
{
	size_t len, picked = 0;
	const char *data = packed_bytes(n, &len), *end = data + len, *p, *q;
	void *taken;
	int first;

	for (int pass = 0; pass < 2; pass++) {
		first = 1;
		for (p = data; p < end; ) {
			const char *name = p + 1;

			if (*p == 'T') {
				p += strlen(p + 1) + 2;
				continue;
			}
			for (q = name + strlen(name) + 1; *q == 'T'; q += strlen(q + 1) + 2)
				;
			if (*q != 'X')
				return NULL;	/* not a leaf (pass 0 only) */
			if (want(arg, name, first)) {
				if (pass == 0 && ++picked > max)
					return NULL;
				if (pass == 1)
					packed_append_range(n, p, q + 1);
			}
			first = 0;
			p = q + 1;
		}
		if (pass == 0) {
			taken = n->content;
			n->content = NULL;
		}
	}
	return taken;
}
