/*
 * Intrusive circular doubly-linked lists: embed a struct list_node in the
 * object, keep a struct list_node as the head. Locking is the user's.
 */
#ifndef VIREO_LIB_LIST_H
#define VIREO_LIB_LIST_H

#include "kernel/lib/compiler.h"
#include "kernel/lib/types.h"

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *h)
{
	h->next = h->prev = h;
}

static inline bool list_empty(const struct list_node *h)
{
	return h->next == h;
}

static inline void list_insert_(struct list_node *n, struct list_node *prev,
				struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Add n after head (stack order) / before head (queue order). */
static inline void list_add(struct list_node *n, struct list_node *head)
{
	list_insert_(n, head, head->next);
}

static inline void list_add_tail(struct list_node *n, struct list_node *head)
{
	list_insert_(n, head->prev, head);
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define list_entry(node, type, member) container_of(node, type, member)
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)

#define list_for_each_entry(pos, head, member)                               \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);       \
	     &pos->member != (head);                                         \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/* Safe against removal of pos inside the loop. */
#define list_for_each_entry_safe(pos, tmp, head, member)                     \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),       \
	     tmp = list_entry(pos->member.next, __typeof__(*pos), member);   \
	     &pos->member != (head);                                         \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))

#endif
