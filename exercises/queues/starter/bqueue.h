#include <stdbool.h>
#include <stddef.h>
typedef struct bqueue bqueue;
enum { BQ_OK = 0, BQ_FULL = 1, BQ_EMPTY = 2, BQ_CLOSED = 3 };
bqueue *bq_create(size_t maxsize);   /* 0 = unbounded; NULL when out of memory */
int bq_put(bqueue *q, void *item, int timeout_ms);
int bq_get(bqueue *q, void **item, int timeout_ms);
size_t bq_size(bqueue *q);
bool bq_full(bqueue *q);
bool bq_empty(bqueue *q);
void bq_close(bqueue *q);
void bq_destroy(bqueue *q);
