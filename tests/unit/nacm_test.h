/*
 * Helpers shared by the NACM unit tests (test_nacm.c, test_nacm_rfc.c):
 * documents from strings (plain or packed, as datastores are), a test
 * schema (the built-in one over yang/ plus the RFC 8341 example
 * modules, with "name", "k1", "k2" as list keys), sessions, and a tiny
 * path finder for picking nodes, and the config wrapped around the
 * random rule sets of test_get_merge.c and test_nacm_lazy.c.
 */
#ifndef NCHOME_NACM_TEST_H
#define NCHOME_NACM_TEST_H

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "access/nacm_int.h"
#include "tree/tree.h"

/* not every test file uses every helper */
#define T_UNUSED	__attribute__((unused))

#define T_PARSE_OPTS	(XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA)
#define T_BASE		"urn:ietf:params:xml:ns:netconf:base:1.0"
#define T_CFG_OPEN	"<config xmlns=\"" T_BASE "\">"
#define T_CFG(body)	T_CFG_OPEN body "</config>"

static struct nacm_schema *t_builtin;

static const char *const t_mods[][2] = {
	{ "acme-netconf", "http://example.com/ns/netconf" },
	{ "acme-itf", "http://example.com/ns/itf" },
	{ "test", "urn:t" },
	{ "other", "urn:o" },
};

T_UNUSED static const char *
t_module_ns(void *arg, const char *module)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(t_mods) / sizeof(t_mods[0]); i++)
		if (strcmp(t_mods[i][0], module) == 0)
			return t_mods[i][1];
	return t_builtin->module_ns(t_builtin->arg, module);
}

T_UNUSED static const char *
t_ns_module(void *arg, const char *ns)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(t_mods) / sizeof(t_mods[0]); i++)
		if (strcmp(t_mods[i][1], ns) == 0)
			return t_mods[i][0];
	return t_builtin->ns_module(t_builtin->arg, ns);
}

T_UNUSED static const struct nacm_ext *
t_exts(void *arg, size_t *n)
{
	(void)arg;
	return t_builtin->exts(t_builtin->arg, n);
}

T_UNUSED static int
t_is_key(void *arg, const xmlNode *entry, const char *leaf)
{
	(void)arg;
	(void)entry;
	return strcmp(leaf, "name") == 0 || strcmp(leaf, "k1") == 0 || strcmp(leaf, "k2") == 0;
}

static struct nacm_schema t_schema = { t_module_ns, t_ns_module, t_exts, t_is_key, NULL };

/* a string for a message, which may be missing when a test fails */
#define T_S(s)	((s) != NULL ? (s) : "(none)")

/* strcmp that takes NULL (a test must fail, not crash, on a missing string) */
T_UNUSED static int
t_streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

T_UNUSED static const char *
t_top(void)
{
	const char *top = getenv("NCHOME_TOP");

	return top != NULL ? top : ".";
}

T_UNUSED static void
t_init(void)
{
	char dir[4096], err[256];

	snprintf(dir, sizeof(dir), "%s/yang", t_top());
	if ((t_builtin = nacm_schema_builtin(dir, err, sizeof(err))) == NULL) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
}

T_UNUSED static void
t_done(void)
{
	nacm_schema_builtin_free(t_builtin);
	xmlCleanupParser();
}

T_UNUSED static xmlDocPtr
t_doc(const char *xml)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, T_PARSE_OPTS);

	if (d == NULL) {
		printf("Bail out! test XML does not parse: %.80s\n", xml);
		exit(1);
	}
	return d;
}

T_UNUSED static xmlDocPtr
t_packed_doc(const char *xml)
{
	xmlDocPtr d = packed_read_memory(xml, (int)strlen(xml), T_PARSE_OPTS);

	if (d == NULL) {
		printf("Bail out! test XML does not parse: %.80s\n", xml);
		exit(1);
	}
	return d;
}

/* The first element named name below n, depth first (NULL: none). */
T_UNUSED static xmlNodePtr
t_elem(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		xmlNodePtr f;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(c->name, BAD_CAST name))
			return c;
		if ((f = t_elem(c, name)) != NULL)
			return f;
	}
	return NULL;
}

/* Parses the nacm element of xml (a <config> or a <nacm>). */
T_UNUSED static struct nacm_config *
t_cfg_flags(const char *xml, int flags, int (*exists)(const char *), char *err, size_t errlen)
{
	xmlDocPtr d = t_doc(xml);
	xmlNodePtr root = xmlDocGetRootElement(d);
	xmlNodePtr n = xmlStrEqual(root->name, BAD_CAST "nacm") ? root : t_elem(root, "nacm");
	struct nacm_config *c = nacm_config_parse(n, flags, exists, err, errlen);

	xmlFreeDoc(d);
	return c;
}

T_UNUSED static struct nacm_config *
t_cfg(const char *xml)
{
	char err[512];
	struct nacm_config *c = t_cfg_flags(xml, 0, NULL, err, sizeof(err));

	if (c == NULL) {
		printf("Bail out! config refused: %s\n", err);
		exit(1);
	}
	return c;
}

/*
 * The config of the random rule sets: user u in group g, one rule-list l
 * for g holding rules (<rule> elements as XML), read-default as given
 * ("permit" or "deny").
 */
T_UNUSED static struct nacm_config *
t_cfg_rules(const char *read_default, const char *rules)
{
	xmlBufferPtr b = xmlBufferCreate();
	struct nacm_config *c;

	xmlBufferCat(b, BAD_CAST "<nacm xmlns=\"" NACM_NS "\"><read-default>");
	xmlBufferCat(b, BAD_CAST read_default);
	xmlBufferCat(b, BAD_CAST "</read-default><groups><group><name>g</name>"
	    "<user-name>u</user-name></group></groups><rule-list><name>l</name><group>g</group>");
	xmlBufferCat(b, BAD_CAST rules);
	xmlBufferCat(b, BAD_CAST "</rule-list></nacm>");
	c = t_cfg((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return c;
}

/* A session for user with external groups g (NULL-terminated list, may be NULL). */
T_UNUSED static struct nacm_session *
t_sess(const struct nacm_config *cfg, const char *user, const char *const *g, int recovery)
{
	struct nacm_user u = { user, g, 0, recovery };
	struct nacm_session *s;

	while (g != NULL && g[u.ngroups] != NULL)
		u.ngroups++;
	if ((s = nacm_session_new(cfg, &u, &t_schema)) == NULL) {
		printf("Bail out! nacm_session_new\n");
		exit(1);
	}
	return s;
}

/*
 * A node by local names from the root element: "a/b=v/c" is element c
 * below the b whose child "name" is v, below a.  Unpacks what it passes
 * through only when asked (unpack), so packed entries can stay packed.
 */
T_UNUSED static xmlNodePtr
t_find(xmlDocPtr d, const char *path, int unpack)
{
	char buf[512], *save = NULL, *seg;
	xmlNodePtr n = xmlDocGetRootElement(d);

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, "/", &save); seg != NULL && n != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(seg, '=');
		xmlNodePtr c;

		if (eq != NULL)
			*eq++ = '\0';
		if (unpack)
			packed_unpack(n);
		for (c = n->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST seg))
				continue;
			if (eq == NULL)
				break;
			if (packed_is(c)) {
				const char *cn, *t;

				if (packed_child(c, "name", &cn, &t) == 1 && t != NULL &&
				    strcmp(t, eq) == 0)
					break;
			} else {
				xmlNodePtr k = t_elem(c, "name");
				xmlChar *v = k != NULL ? xmlNodeGetContent(k) : NULL;
				int same = v != NULL && strcmp((char *)v, eq) == 0;

				xmlFree(v);
				if (same)
					break;
			}
		}
		n = c;
	}
	if (n == NULL) {
		printf("Bail out! no node %s\n", path);
		exit(1);
	}
	return n;
}

struct t_buf {
	char	*p;
	size_t	 len;
};

T_UNUSED static int
t_put(void *arg, const char *s, size_t n)
{
	struct t_buf *b = arg;
	char *p = realloc(b->p, b->len + n + 1);

	if (p == NULL)
		abort();
	memcpy(p + b->len, s, n);
	b->len += n;
	p[b->len] = '\0';
	b->p = p;
	return 0;
}

/* The serialization of n (malloc()ed). */
T_UNUSED static char *
t_ser(xmlNodePtr n)
{
	struct t_buf b = { NULL, 0 };
	struct xmlout *xo = xo_new_writer(t_put, &b);

	xo_node(xo, n, NULL);
	xo_finish(xo);
	return b.p != NULL ? b.p : strdup("");
}

/* 1 if the serialization of the pruned copy of d contains s. */
T_UNUSED static int
t_pruned_has(const struct nacm_session *s, xmlDocPtr d, const char *what)
{
	xmlDocPtr c = packed_copy_doc(d);
	char *txt;
	int has;

	if (nacm_read_prune(s, xmlDocGetRootElement(c)) < 0)
		abort();
	txt = t_ser(xmlDocGetRootElement(c));
	has = strstr(txt, what) != NULL;
	free(txt);
	xmlFreeDoc(c);
	return has;
}

/* The write check of one change: 1 allowed, 0 denied (d kept in *den if given). */
T_UNUSED static int
t_write(const struct nacm_session *s, xmlNodePtr n, int op, struct nacm_denial *den)
{
	struct nacm_change ch = { n, op };
	struct nacm_denial d;
	int r = nacm_write_check(s, &ch, 1, &d);

	if (r < 0)
		abort();
	if (den != NULL)
		*den = d;
	else
		nacm_denial_clear(&d);
	return r == 0;
}

#endif
