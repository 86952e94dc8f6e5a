/*
 * Whether an error-path names a node the session may read (RFC 8341
 * 3.4.3: an <rpc-error> must not tell what it may not): the path is
 * parsed with the rule-path grammar (nacm_path.c) and matched as a rule
 * matches real data.  And whether a top-level node, known by name alone
 * (running.shared's ranges), is readable or hidden whole.
 */
#include <string.h>

#include "nacm_int.h"
#include "tree/tree.h"

/*
 * The data node path names, rebuilt as a bare tree under a <config>
 * (each step an element, its key predicates child leaves, a [.='v'] its
 * text), so the rules match it as they match real data.  Returns its
 * last node, NULL when out of memory.
 */
static xmlNodePtr
skeleton(xmlDocPtr doc, const struct nacm_path *p)
{
	xmlNodePtr cur, n, k;
	xmlNsPtr ns;

	if ((cur = xmlNewDocNode(doc, NULL, BAD_CAST "config", NULL)) == NULL)
		return NULL;
	xmlDocSetRootElement(doc, cur);
	if ((ns = xmlNewNs(cur, BAD_CAST NC_NS_BASE, NULL)) == NULL)
		return NULL;
	xmlSetNs(cur, ns);
	for (size_t i = 0; i < p->nstep; i++) {
		const struct nacm_step *st = &p->step[i];

		if ((n = xmlNewChild(cur, NULL, BAD_CAST st->name, NULL)) == NULL ||
		    (ns = xmlNewNs(n, BAD_CAST st->ns, NULL)) == NULL)
			return NULL;
		xmlSetNs(n, ns);
		for (size_t j = 0; j < st->npred; j++) {
			const struct nacm_pred *pr = &st->pred[j];
			const char *v = pr->value != NULL ? pr->value : "";

			if (pr->name == NULL) {
				xmlNodeAddContent(n, BAD_CAST v);
				continue;
			}
			if ((k = xmlNewTextChild(n, NULL, BAD_CAST pr->name, BAD_CAST v)) == NULL ||
			    (ns = xmlNewNs(k, BAD_CAST pr->ns, NULL)) == NULL)
				return NULL;
			xmlSetNs(k, ns);
		}
		cur = n;
	}
	return cur;
}

int
nacm_path_readable(const struct nacm_session *s, const xmlNode *elem, const char *path)
{
	struct nacm_path *p;
	xmlDocPtr doc;
	xmlNodePtr last;
	char err[128];
	int rc;

	if (s->bypass || nacm_read_all(s))
		return 1;
	if ((p = nacm_path_parse(path, nacm_xml_prefix_ns, (void *)elem, err,
	    sizeof(err))) == NULL)
		return 2;	/* not a data path (or none nacm_path.c can read) */
	if (p->nstep == 0 || strcmp(p->step[0].ns, NC_NS_BASE) == 0) {
		nacm_path_free(p);
		return 2;	/* "/" or a path in the request (/nc:rpc/...) */
	}
	rc = -1;
	if ((doc = xmlNewDoc(BAD_CAST "1.0")) != NULL && (last = skeleton(doc, p)) != NULL)
		rc = nacm_data_allowed(s, last, NACM_READ);
	xmlFreeDoc(doc);
	nacm_path_free(p);
	return rc;
}

int
nacm_top_read(const struct nacm_session *s, const char *ns, const char *name, int one_ns)
{
	const struct nacm_oplist *L = &s->op[NACM_OPIDX_READ];
	struct nacm_state st;
	xmlDocPtr doc;
	xmlNodePtr root, top;
	xmlNsPtr xns;
	int dec, rc = -1;

	if (s->bypass || L->constant == 1)
		return 1;
	if (L->constant == 0)
		return 0;
	/* a path whose first step has predicates would match by the node's keys */
	for (size_t i = 0; i < L->n; i++) {
		const struct nacm_path *p = L->e[i].path;

		if (p != NULL && p->nstep > 0 && p->step[0].npred > 0 &&
		    strcmp(p->step[0].name, name) == 0 && strcmp(p->step[0].ns, ns) == 0)
			return -1;
	}
	memset(&st, 0, sizeof(st));
	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    (root = xmlNewDocNode(doc, NULL, BAD_CAST "config", NULL)) == NULL)
		goto out;
	xmlDocSetRootElement(doc, root);
	if ((xns = xmlNewNs(root, BAD_CAST NC_NS_BASE, NULL)) == NULL)
		goto out;
	xmlSetNs(root, xns);
	if ((top = xmlNewChild(root, NULL, BAD_CAST name, NULL)) == NULL ||
	    (xns = xmlNewNs(top, BAD_CAST ns, NULL)) == NULL)
		goto out;
	xmlSetNs(top, xns);
	if (nacm_state_of(s, L, top, &st) == -1)
		goto out;
	dec = nacm_decide(L, &st, BAD_CAST ns, NULL);
	/* its decision holds below it: no path goes on inside, and no
	   namespace below it can differ (nacm_uniform) */
	if (st.npart > 0)
		goto out;
	if (!one_ns) {
		if (L->mod_ns)
			goto out;
		for (size_t i = 0; i < st.nact; i++)
			if (L->e[st.act[i]].ns != NULL)
				goto out;
	}
	rc = dec != 0;
out:
	nacm_state_free(&st);
	xmlFreeDoc(doc);
	return rc;
}
