/*
 * Helpers shared by the schema-layer unit tests (test_schema*.c): the
 * source tree, a module set from a short spec, XML documents, an rpc's
 * errors.
 */
#ifndef NCHOME_SCHEMA_TEST_H
#define NCHOME_SCHEMA_TEST_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "conf.h"
#include "netconf/netconf.h"
#include "schema/schema.h"

/* Not every test file uses every helper. */
#define HELPER	static __attribute__((unused))

/* The source tree: $NCHOME_TOP (tests/run sets it), else the current folder. */
static char top_dir[PATH_MAX] = ".";

HELPER void
schema_test_init(void)
{
	const char *t = getenv("NCHOME_TOP");
	char yang[PATH_MAX + 8];

	if (t != NULL && *t != '\0')
		snprintf(top_dir, sizeof(top_dir), "%s", t);
	snprintf(yang, sizeof(yang), "%s/yang", top_dir);
	setenv("NCHOME_YANG_DIR", yang, 1);
}

/* top/rel in a static buffer (one of four, for use in one expression). */
HELPER const char *
in_top(const char *rel)
{
	static char buf[4][PATH_MAX + 64];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", top_dir, rel);
	return b;
}

/*
 * A module set: folder dir as the operator's, modules as
 * "name[@revision][:feature,feature]" strings (NULL-terminated).
 */
HELPER struct schema *
load_modules_from(const char *dir, const char *const *modules, char *err, size_t errlen)
{
	struct conf_module cm[16];
	struct conf_netconf nc;
	char specs[16][256], *feats[16][8], *p, *at;
	struct schema *s;
	size_t n = 0;

	memset(&nc, 0, sizeof(nc));
	memset(cm, 0, sizeof(cm));
	nc.yang_dir = (char *)dir;
	for (; modules != NULL && modules[n] != NULL && n < 16; n++) {
		snprintf(specs[n], sizeof(specs[n]), "%s", modules[n]);
		if ((p = strchr(specs[n], ':')) != NULL) {
			*p++ = '\0';
			for (char *tok = strtok(p, ","); tok && cm[n].nfeatures < 8;
			    tok = strtok(NULL, ","))
				feats[n][cm[n].nfeatures++] = tok;
			cm[n].features = feats[n];
		}
		if ((at = strchr(specs[n], '@')) != NULL) {
			*at++ = '\0';
			cm[n].revision = at;
		}
		cm[n].name = specs[n];
	}
	nc.modules = cm;
	nc.nmodules = n;
	s = schema_load(&nc, err, errlen);
	return s;
}

HELPER struct schema *
load_modules(const char *const *modules, char *err, size_t errlen)
{
	return load_modules_from(in_top("tests/yang"), modules, err, errlen);
}

/* conf_load() of text written to a temporary file. */
HELPER struct nchome_conf *
conf_text(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/nchome-test-schema-conf.XXXXXX";
	struct nchome_conf *c;
	int fd = mkstemp(path);
	FILE *fp;

	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	c = conf_load(path, 0, err, errlen);
	unlink(path);
	return c;
}

HELPER xmlDocPtr
parse_xml(const char *text)
{
	return xmlReadMemory(text, (int)strlen(text), NULL, NULL, XML_PARSE_NONET);
}

/* The first element named name below (and including) n, depth first. */
HELPER xmlNodePtr
find_elem(xmlNodePtr n, const char *name)
{
	xmlNodePtr r;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, name) == 0)
			return n;
		if ((r = find_elem(n->children, name)) != NULL)
			return r;
	}
	return NULL;
}

/* The text of the first element name in r's errors, "" when none (one of four buffers). */
HELPER const char *
err_field(struct rpc *r, const char *name)
{
	static char buf[4][512];
	static int next;
	char *b = buf[next++ % 4];
	xmlNodePtr n;
	xmlChar *t;

	b[0] = '\0';
	if (r->err_doc == NULL || (n = find_elem(xmlDocGetRootElement(r->err_doc), name)) == NULL)
		return b;
	t = xmlNodeGetContent(n);
	snprintf(b, 512, "%s", t != NULL ? (char *)t : "");
	xmlFree(t);
	return b;
}

/* Removes the files of a flat folder and the folder. */
HELPER void
rmdir_all(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

HELPER double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#endif
