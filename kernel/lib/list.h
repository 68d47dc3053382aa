/*
 * Intrusive circular doubly-linked lists. A list is a struct list_node used
 * as its head; elements embed a struct list_node and are recovered with
 * list_entry(). All operations are O(1); none allocates. Locking is the
 * owner's business.
 */
#ifndef VIREO_LIB_LIST_H
#define VIREO_LIB_LIST_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

struct list_node {
	struct list_node *prev, *next;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Insert n between prev and next. */
static inline void list_insert_(struct list_node *n, struct list_node *prev,
				struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Insert n right after pos (at the front when pos is the head). */
static inline void list_add(struct list_node *pos, struct list_node *n)
{
	list_insert_(n, pos, pos->next);
}

/* Insert n right before pos (at the back when pos is the head). */
static inline void list_add_tail(struct list_node *pos, struct list_node *n)
{
	list_insert_(n, pos->prev, pos);
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

#define list_for_each_entry(pos, head, member)                                \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);        \
	     &pos->member != (head);                                          \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/* Safe against removal of pos inside the loop. */
#define list_for_each_entry_safe(pos, tmp, head, member)                      \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),        \
	     tmp = list_entry(pos->member.next, __typeof__(*pos), member);    \
	     &pos->member != (head);                                          \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*pos), member))

#endif
