/*
 * The undo log of an edit-config (struct edit_ctx) and the two primitives
 * every change of the tree goes through (edit_add_child,
 * edit_remove_child): they keep the list indexes (edit_index.c) and log
 * the change, so that edit_undo puts the tree back as it was, and
 * edit_ctx_clear keeps it for good, freeing what only an undo needed.
 * A packed node an edit enters is logged with its packed string
 * (edit_unpack) and packed again when its edit is done (edit_repack).
 * Past c->undo_max bytes of such strings they are freed instead, and a
 * failed edit is undone by reading the datastore again (edit_undo -1).
 */
#include <stdlib.h>

#include "xmalloc.h"
#include "tree_int.h"

static void
log_push(struct edit_ctx *c, enum edit_change_kind kind, xmlNodePtr node, xmlNodePtr parent,
    xmlNodePtr next)
{
	if (c->nlog == c->caplog) {
		size_t cap = c->caplog ? c->caplog * 2 : 32;
		c->log = xreallocarray(c->log, cap, sizeof(*c->log));
		c->caplog = cap;
	}
	c->log[c->nlog++] = (struct edit_change){ kind, 0, node, parent, next, NULL };
}

void
edit_log_change(struct edit_ctx *c, enum edit_change_kind kind, xmlNodePtr node,
    xmlNodePtr parent, xmlNodePtr next)
{
	log_push(c, kind, node, parent, next);
	c->changed = 1;
}

/*
 * Inside a node being built off the tree (c->detached) changes are not
 * logged: the whole new node goes at once, or is freed on error.
 */
void
edit_add_child(struct edit_ctx *c, xmlNodePtr parent, xmlNodePtr child, xmlNodePtr next)
{
	index_link_child(c->keys, parent, child, next);
	if (child->type == XML_ELEMENT_NODE && child->nsDef != NULL)
		ns_dedupe(child);
	packed_note(child);	/* a new subtree not packed yet is, after the RPC */
	if (c->detached == 0)
		edit_log_change(c, EC_ADDED, child, parent, NULL);
}

void
edit_remove_child(struct edit_ctx *c, xmlNodePtr child)
{
	xmlNodePtr parent = child->parent, next = child->next;

	index_unlink_child(c->keys, child);
	if (c->detached == 0)
		edit_log_change(c, EC_REMOVED, child, parent, next);
	else
		tree_free(child);
}

unsigned long edit_generation;

int
edit_undo(struct edit_ctx *c)
{
	edit_generation++;
	if (c->undo_lost) {
		/* old entries are gone: the caller reads the datastore again */
		edit_ctx_clear(c);
		c->changed = 0;
		return -1;
	}
	while (c->nlog > 0) {
		struct edit_change *ch = &c->log[--c->nlog];
		switch (ch->kind) {
		case EC_UNPACKED: {
			/*
			 * back to the packed string it had before the edit; its
			 * key may change back, so out of its parent's index and in
			 */
			xmlNodePtr parent = ch->node->parent, next = ch->node->next;

			index_unlink_child(c->keys, ch->node);
			index_drop_subtree(ch->node);
			packed_restore(ch->node, ch->old_text);
			index_link_child(c->keys, parent, ch->node, next);
			break;
		}
		case EC_TEXT:
			/* the content now is set_leaf's copy: put the old one back */
			index_text_changing(c->keys, ch->node->parent, ch->node);
			xmlFree(ch->node->content);
			ch->node->content = ch->old_text;
			break;
		case EC_ADDED:
			index_unlink_child(c->keys, ch->node);
			tree_free(ch->node);
			break;
		case EC_REMOVED:
			index_link_child(c->keys, ch->parent, ch->node, ch->next);
			break;
		}
	}
	c->changed = 0;
	return 0;
}

/* Change ch is kept for good: frees what only an undo would have used. */
static void
forget_change(struct edit_change *ch)
{
	if (ch->kind == EC_UNPACKED)
		packed_release(ch->old_text);
	else if (ch->kind == EC_TEXT) {
		if (ch->old_owned)
			xmlFree(ch->old_text);
	} else if (ch->kind == EC_REMOVED)
		tree_free(ch->node);
}

void
edit_ctx_clear(struct edit_ctx *c)
{
	for (size_t i = 0; i < c->nlog; i++)
		forget_change(&c->log[i]);
	free(c->log);
	c->log = NULL;
	c->nlog = c->caplog = 0;
}

/* ---- packed nodes an edit enters ---- */

/* The old string of change ch goes: no edit_undo for it. */
static void
drop_old(struct edit_change *ch)
{
	if (ch->kind != EC_UNPACKED)
		return;
	packed_release(ch->old_text);
	ch->old_text = NULL;
}

/*
 * Log entry ch (EC_UNPACKED) holds the string its node had before: past
 * c->undo_max bytes of them, they all go, this one and the next ones
 * (undo_lost).  The entries stay: what the edit touched is validated
 * and announced from them.
 */
static void
hold_old(struct edit_ctx *c, struct edit_change *ch)
{
	if (c->undo_max == 0)
		return;
	if (!c->undo_lost) {
		c->undo_held += sizeof(struct pk) + ((struct pk *)ch->old_text)->len;
		if (c->undo_held <= c->undo_max)
			return;
		c->undo_lost = 1;
		for (size_t i = 0; i < c->nlog; i++)
			drop_old(&c->log[i]);
	}
	drop_old(ch);
}

/*
 * Packed datastore node d (packed.c) is about to be edited: unpacked,
 * with its packed string logged so that an undo can put it back; 1 if so.
 * Inside a node built off the tree (c->detached) nothing is logged, but
 * d may still be packed: an edit sibling of the same key merges into one
 * moved in packed before it.
 */
int
edit_unpack(struct edit_ctx *c, xmlNodePtr d)
{
	void *taken;

	if (c->detached) {
		packed_unpack(d);
		return 0;
	}
	if ((taken = packed_take(d)) == NULL)
		return 0;
	log_push(c, EC_UNPACKED, d, NULL, NULL);
	c->log[c->nlog - 1].old_text = taken;
	hold_old(c, &c->log[c->nlog - 1]);
	return 1;
}

/*
 * The edit of unpacked d is done (its changes are log entries after
 * index at): d is packed again at once, so that an edit of every entry
 * of a big list never holds them all unpacked.  The log entry at index
 * then undoes the lot; the ones after it are kept for good.  So even
 * when d stays unpacked (an index, over PK_MAX): its descendants may
 * have been packed, which frees nodes those entries point to.
 */
void
edit_repack(struct edit_ctx *c, xmlNodePtr d, size_t at)
{
	edit_report(c, at + 1, c->nlog);	/* before its nodes are packed away */
	packed_pack_tree(d);
	edit_log_keep(c, at);
}

/*
 * The report is made in log order, as when it is made after the edit
 * from the whole log: what is before d's changes first.
 */
void
edit_repack_checked(struct edit_ctx *c, xmlNodePtr d, size_t at)
{
	if (c->check_inside == NULL || c->check_inside(c->check_arg, c, at) != 1)
		return;	/* d stays unpacked, its changes checked after the edit */
	edit_report(c, c->reported, c->nlog);
	packed_pack_tree(d);
	edit_log_keep(c, at);
	c->reported = c->nlog;
}

void
edit_log_keep(struct edit_ctx *c, size_t at)
{
	for (size_t i = at + 1; i < c->nlog; i++)
		forget_change(&c->log[i]);
	c->nlog = at + 1;
}

void
edit_log_taken(struct edit_ctx *c, xmlNodePtr d, void *taken)
{
	log_push(c, EC_UNPACKED, d, NULL, NULL);
	c->log[c->nlog - 1].old_text = taken;
}
