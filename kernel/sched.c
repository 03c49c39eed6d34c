/*
 * The scheduler of the kernel thread: a FIFO run queue of tasks whose
 * kernel stacks are ready to continue, wait queues, sleeping locks, kernel
 * timers, and the idle loop that waits for host events when nothing runs.
 * There is one CPU: a task runs on its kernel stack until it sleeps, and
 * nothing preempts it, so kernel state needs no locks (as xv6 on one CPU).
 */
#include <umk/sched.h>
#include <umk/timer.h>
#include <umk/oom.h>
#include <event.h>
#include <sys/mman.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

struct task *current;
LIST_HEAD(task_list);
static LIST_HEAD(run_queue);
static LIST_HEAD(resched_queue);	/* in cond_resched, FIFO */
static LIST_HEAD(timers);
static void *sched_sp;			/* the scheduler loop's own stack */
static struct task *dead_task;		/* stack to free after switching away */

void __switch_to(void **prev_sp, void *next_sp);
void __task_trampoline(void);

#define KSTACK_SIZE (256 * 1024)
/* Stacks of dead tasks kept for new ones (Linux's cached_stacks): a fork
 * then costs no mmap, mprotect and munmap, and no page faults on the
 * pages the last user already touched. */
#define KSTACK_CACHE 16
static void *cached_stacks[KSTACK_CACHE];
static int nr_cached_stacks;

/*
 * AddressSanitizer must be told of every switch between stacks (its fiber
 * annotations), or it takes the frames left on a sleeping task's stack for
 * bugs. Without ASan these are empty.
 */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/asan_interface.h>
static const void *sched_stack_bottom;	/* the scheduler loop's stack */
static size_t sched_stack_size;
static void *sched_fake_stack;

/* Into task t's stack from the scheduler loop, and back. */
static void asan_switch_to_task(struct task *t)
{
	__sanitizer_start_switch_fiber(&sched_fake_stack,
				       (char *)t->kstack + PAGE_SIZE,
				       t->kstack_size - PAGE_SIZE);
}
static void asan_back_in_scheduler(void)
{
	__sanitizer_finish_switch_fiber(sched_fake_stack, NULL, NULL);
}
/* From the current task's stack to the scheduler (dying: never back). */
static void asan_switch_to_scheduler(void **fake, bool dying)
{
	__sanitizer_start_switch_fiber(dying ? NULL : fake, sched_stack_bottom,
				       sched_stack_size);
}
static void asan_back_in_task(void *fake)
{
	__sanitizer_finish_switch_fiber(fake, &sched_stack_bottom,
					&sched_stack_size);
}
static void asan_unpoison_stack(struct task *t)
{
	__asan_unpoison_memory_region(t->kstack, t->kstack_size);
}
#else
static void asan_switch_to_task(struct task *t) { }
static void asan_back_in_scheduler(void) { }
static void asan_switch_to_scheduler(void **fake, bool dying) { }
static void asan_back_in_task(void *fake) { }
static void asan_unpoison_stack(struct task *t) { }
#endif

/* The first function on every new kernel stack (r12 of kstack_init): the
 * task's own fn comes in r14, passed on by __task_trampoline. */
void kstack_entry(struct task *t, void (*fn)(struct task *));
void kstack_entry(struct task *t, void (*fn)(struct task *))
{
	asan_back_in_task(NULL);
	fn(t);
}

/*
 * Give t a kernel stack that starts in fn(t): a cached one, or a fresh
 * mmap with a guard page below it whose pages are only touched as used.
 */
int kstack_init(struct task *t, void (*fn)(struct task *))
{
	char *base;
	unsigned long *sp;

	if (nr_cached_stacks > 0) {
		base = cached_stacks[--nr_cached_stacks];
#ifdef __SANITIZE_ADDRESS__
		/* The frames its last task died in are gone. */
		ASAN_UNPOISON_MEMORY_REGION(base + PAGE_SIZE, KSTACK_SIZE);
#endif
	} else {
		base = mmap(NULL, KSTACK_SIZE + PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED)
			return -ENOMEM;
		mprotect(base, PAGE_SIZE, PROT_NONE);
	}
	t->kstack = base;
	t->kstack_size = KSTACK_SIZE + PAGE_SIZE;
	sp = (unsigned long *)(base + t->kstack_size);
	*--sp = 0;				/* alignment */
	*--sp = (unsigned long)__task_trampoline;	/* return address */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (unsigned long)kstack_entry;	/* r12 */
	*--sp = (unsigned long)t;		/* r13 */
	*--sp = (unsigned long)fn;		/* r14 */
	*--sp = 0;				/* r15 */
	t->ksp = sp;
	return 0;
}

void kstack_free(struct task *t)
{
	if (t->kstack) {
		asan_unpoison_stack(t);
		if (nr_cached_stacks < KSTACK_CACHE)
			cached_stacks[nr_cached_stacks++] = t->kstack;
		else
			munmap(t->kstack, t->kstack_size);
	}
	t->kstack = NULL;
}

static void enqueue(struct task *t)
{
	if (!t->on_rq) {
		list_add_tail(&t->run_list, &run_queue);
		t->on_rq = true;
	}
}

void wake_up_process(struct task *t)
{
	if (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE) {
		t->state = TASK_RUNNING;
		enqueue(t);
	}
}

/* Tasks in TASK_WAIT_HOST: their host thread runs and will stop. */
int nr_host_waiting;

/* Make a task whose host stop arrived (TASK_WAIT_HOST) run again. */
void wake_up_host_waiter(struct task *t)
{
	if (t->state == TASK_WAIT_HOST) {
		nr_host_waiting--;
		t->state = TASK_RUNNING;
		enqueue(t);
	}
}

/* Switch from the current task's stack to the scheduler loop. */
static void switch_to_scheduler(void)
{
	struct task *prev = current;
	void *fake = NULL;

	asan_switch_to_scheduler(&fake, prev->state == TASK_DEAD);
	__switch_to(&prev->ksp, sched_sp);
	asan_back_in_task(fake);
	current = prev;
}

void schedule_sleep(bool interruptible)
{
	current->state = interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	switch_to_scheduler();
}

/* Sleep until wake_up_host_waiter (used by the mode engines). */
void schedule_host_wait(void)
{
	current->state = TASK_WAIT_HOST;
	nr_host_waiting++;
	oom_guest_resumed();
	switch_to_scheduler();
}

/* Sleep in a group stop until SIGCONT or SIGKILL wakes the task. */
void schedule_stopped(void)
{
	current->state = TASK_STOPPED;
	switch_to_scheduler();
}

/* Sleep in a ptrace stop until the tracer or SIGKILL wakes the task. */
void schedule_traced(void)
{
	current->state = TASK_TRACED;
	switch_to_scheduler();
}

/* Let other runnable tasks run first (sched_yield). */
void schedule_yield(void)
{
	current->state = TASK_RUNNING;
	enqueue(current);
	switch_to_scheduler();
}

void cond_resched(void)
{
	current->state = TASK_RUNNING;
	list_add_tail(&current->run_list, &resched_queue);
	current->on_rq = true;		/* enqueue leaves it where it is */
	switch_to_scheduler();
}

bool requeue_resched(void)
{
	bool any = !list_empty(&resched_queue);

	while (!list_empty(&resched_queue)) {
		struct list_head *e = resched_queue.next;

		list_del_init(e);
		list_add_tail(e, &run_queue);
	}
	return any;
}

/* The current task is dead: leave its stack for good. */
void __attribute__((noreturn)) schedule_exit(void)
{
	current->state = TASK_DEAD;
	dead_task = current;
	switch_to_scheduler();
	__builtin_unreachable();
}

struct sleep_timer {
	struct timer_list timer;
	struct task *task;
	bool fired;
};

static void sleep_timer_fn(struct timer_list *timer)
{
	struct sleep_timer *st = container_of(timer, struct sleep_timer, timer);

	st->fired = true;
	wake_up_process(st->task);
}

int schedule_timeout(uint64_t deadline_ns)
{
	struct sleep_timer st = {
		.timer = { .expires = deadline_ns, .fn = sleep_timer_fn },
		.task = current,
	};

	if (ktime_get_ns() >= deadline_ns)
		return 0;
	add_timer(&st.timer);
	schedule_sleep(true);
	del_timer(&st.timer);
	if (st.fired)
		return 0;
	return signal_pending(current) ? -ERESTARTSYS : 1;
}

void add_timer(struct timer_list *timer)
{
	struct timer_list *pos;

	if (timer->pending)
		list_del_init(&timer->entry);
	list_for_each_entry(pos, &timers, entry)
		if (pos->expires > timer->expires)
			break;
	__list_add(&timer->entry, pos->entry.prev, &pos->entry);
	timer->pending = true;
}

void del_timer(struct timer_list *timer)
{
	if (timer->pending) {
		list_del_init(&timer->entry);
		timer->pending = false;
	}
}

int64_t next_timer_delay(void)
{
	struct timer_list *first;
	uint64_t now;

	if (list_empty(&timers))
		return -1;
	first = list_first_entry(&timers, struct timer_list, entry);
	now = ktime_get_ns();
	return first->expires > now ? (int64_t)(first->expires - now) : 0;
}

uint64_t next_timer_expires(void)
{
	if (list_empty(&timers))
		return 0;
	return list_first_entry(&timers, struct timer_list, entry)->expires;
}

void run_timers(void)
{
	uint64_t now = ktime_get_ns();

	while (!list_empty(&timers)) {
		struct timer_list *t = list_first_entry(&timers, struct timer_list,
							entry);
		if (t->expires > now)
			break;
		del_timer(t);
		t->fn(t);
	}
}

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	list_add_tail(&e->entry, &wq->head);
}

void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	(void)wq;
	list_del_init(&e->entry);
}

void wake_up(struct wait_queue_head *wq)
{
	struct wait_queue_entry *e, *n;

	list_for_each_entry_safe(e, n, &wq->head, entry) {
		if (e->func)
			e->func(e, NULL);
		else if (e->task)
			wake_up_process(e->task);
	}
}

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	init_waitqueue_head(&m->wait);
}

void mutex_lock(struct mutex *m)
{
	wait_event(m->wait, m->owner == NULL);
	m->owner = current;
}

void mutex_unlock(struct mutex *m)
{
	m->owner = NULL;
	wake_up(&m->wait);
}

struct task *find_task_by_pid(pid_t pid)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t->pid == pid && t->state != TASK_DEAD)
			return t;
	return NULL;
}

struct task *find_task_by_host_tid(int host_tid)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t->host_tid == host_tid)
			return t;
	return NULL;
}

bool thread_group_leader(const struct task *t)
{
	return t->group_leader == t;
}

static bool pid_in_use(pid_t pid)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t->pid == pid || t->signal->pgrp == pid ||
		    t->signal->session == pid)
			return true;
	return false;
}

pid_t alloc_pid(void)
{
	static pid_t last;

	for (int tries = 0; tries < PID_MAX; tries++) {
		if (++last >= PID_MAX)
			last = 2;
		if (!pid_in_use(last))
			return last;
	}
	return -EAGAIN;
}

pid_t alloc_pid_nr(pid_t nr)
{
	return pid_in_use(nr) ? -EEXIST : nr;
}

/*
 * Run every runnable task until each sleeps. Returns when the run queue is
 * empty. Stacks of tasks that died are freed here, off their own stack.
 */
void run_queue_drain(void)
{
	while (!list_empty(&run_queue)) {
		struct task *t = list_first_entry(&run_queue, struct task, run_list);

		list_del_init(&t->run_list);
		t->on_rq = false;
		current = t;
		asan_switch_to_task(t);
		__switch_to(&sched_sp, t->ksp);
		asan_back_in_scheduler();
		current = NULL;
		if (dead_task) {
			kstack_free(dead_task);
			if (dead_task->self_reap)
				kfree(dead_task);
			dead_task = NULL;
		}
	}
}

bool run_queue_empty(void)
{
	return list_empty(&run_queue);
}
