/*
 * leak.c - a definite leak whose block points to an indirectly lost one,
 * and leaks allocated inside libc (strdup, asprintf) for the
 * first-student-frame rule.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct node *next;
	int value;
};

__attribute__((noinline)) static struct node *make_list(void)
{
	struct node *head = malloc(sizeof(*head));
	head->next = malloc(sizeof(*head->next));
	head->next->next = NULL;
	head->value = 1;
	head->next->value = 2;
	return head;
}

__attribute__((noinline)) static int sum_list(void)
{
	struct node *list = make_list();

	return list->value + list->next->value; /* list is lost here */
}

__attribute__((noinline)) static char *copy_name(const char *name)
{
	return strdup(name);
}

/* Overwrites the stack the lost pointers were left on, so that
 * LeakSanitizer does not see them as still reachable. */
__attribute__((noinline)) static void scrub(void)
{
	volatile char junk[4096];

	memset((char *)junk, 0, sizeof(junk));
}

int main(void)
{
	int sum = sum_list();
	char *name = copy_name("student");
	char *msg = NULL;

	if (asprintf(&msg, "%s has %d", name, sum) < 0)
		return 1;
	printf("%s\n", msg);
	name = NULL;
	msg = NULL;
	scrub();
	return 0;
}
