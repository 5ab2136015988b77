/* Running a call of the kernels (included by fastrnn.c): run_job, its split into batch chunks
 * run on a persistent pool of worker threads, and the watch on BLAS's threads.
 *
 *   contention  the adaptive back-off to one thread, BLAS on one thread, the per-step watch
 *   chunks      job_t, run_chunk (a fwd_args/bwd_args offset to a chunk of rows), work_loop
 *   pool        the worker threads and their hand-over protocol
 *   run_job     the choice (one thread, our threads, BLAS's threads) and the dW/db sums
 */

/* ---- batch-parallel runs -------------------------------------------------------------------
 * The recurrence of one batch row never reads another row, so a call can be cut into chunks
 * of rows that run with no synchronisation until the end: each thread takes a chunk (atomic
 * counter; one chunk per thread: the largest GEMMs) and runs the whole sequence on it; the
 * weight gradients of each chunk go to its own buffer, summed in chunk order at the end, so
 * the numbers never depend on which thread ran what (see plan_chunks). A thread that the
 * OS has not started yet takes no chunk (the calling thread then does more). Calls are split
 * when there is enough work, with at least g_min_chunk_rows rows per chunk, and when their
 * GEMMs use the micro-kernel or a BLAS whose thread count is known (then kept at one thread;
 * other BLAS calls run BLAS's own threads). */
#define MAX_THREADS 64
static int g_threads = 1;
static Py_ssize_t g_min_chunk_rows = 8;
/* Multiply-adds of one direction of a call below which one thread does it all (the hand-over
 * to a spinning worker and the smaller GEMMs cost more than they give), and below which a
 * call does not wait for a sleeping worker to wake up (it runs alone and wakes the worker for
 * the next call). */
static Py_ssize_t g_min_parallel_work = 1000000;
static Py_ssize_t g_cold_parallel_work = 20000000;
/* Contention: when the calling thread waited long for the others at the end of two parallel
 * calls in a row (a helper ran 1.5x slower or was descheduled: another process holds its core;
 * one such call alone is often a hiccup of a virtual machine's core), the following calls run
 * on one thread until g_solo_until; the back-off doubles while contention persists (0.05 s to
 * 1 s) and resets after a parallel call that went well. */
static int64_t g_solo_until = 0; /* monotonic ns */
static double g_backoff = 0.05;
static int g_lagged = 0; /* parallel calls in a row where the caller waited long */
static int g_adaptive = 1;
/* Deterministic (the default): nothing that depends on timing changes a call's numbers. The
 * split into chunks never did (plan_chunks); but a call whose GEMMs go to BLAS with BLAS's own
 * threads used to switch BLAS to one thread when its steps ran slow, or while contention was
 * recent, and OpenBLAS's sums depend on its thread count (7.8e-8 apart after a fit), so the
 * bits depended on the machine's load. Deterministic, BLAS keeps its thread count for the
 * whole call; `deterministic=False` (options) brings the timing-driven switch back. */
static int g_deterministic = 1;

static pthread_mutex_t g_blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_blas_owners = 0, g_blas_saved_threads = 1;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int solo_now(void) {
    return g_adaptive && now_ns() < __atomic_load_n(&g_solo_until, __ATOMIC_RELAXED);
}

static void contention_seen(int64_t now) {
    __atomic_store_n(&g_solo_until, now + (int64_t)(g_backoff * 1e9), __ATOMIC_RELAXED);
    g_backoff = g_backoff * 2 > 1.0 ? 1.0 : g_backoff * 2;
}

/* BLAS on one thread while at least one call holds it so (counted: concurrent calls). */
static void blas_one_thread_acquire(void) {
    pthread_mutex_lock(&g_blas_lock);
    if (g_blas_owners++ == 0) {
        g_blas_saved_threads = g_blas_get_threads();
        g_blas_set_threads(1);
    }
    pthread_mutex_unlock(&g_blas_lock);
}

static void blas_one_thread_release(void) {
    pthread_mutex_lock(&g_blas_lock);
    if (--g_blas_owners == 0)
        g_blas_set_threads(g_blas_saved_threads);
    pthread_mutex_unlock(&g_blas_lock);
}

/* Called at the start of every step: three steps in a row 3x slower than the fastest one of
 * this call or of earlier calls of the same shape (and over 0.3 ms) mean BLAS's threads wait
 * for a core that another process holds; the rest of the call then runs BLAS on one thread,
 * and the next calls too for a while. */
static void watch_step(step_watch *w) {
    const int64_t now = now_ns();
    if (w->steps++ > 0) {
        const int64_t d = now - w->last;
        int64_t best = w->min_step;
        if (w->ref > 0 && (w->steps == 2 || w->ref < best))
            best = w->ref;
        const int slow = (w->steps > 3 || w->ref > 0) && d > 3 * best && d > 300000;
        w->slow_run = slow ? w->slow_run + 1 : 0;
        if (w->slow_run >= 3 && !w->tripped) {
            w->tripped = 1;
            blas_one_thread_acquire();
            if (g_adaptive)
                contention_seen(now);
        }
        if (w->steps == 2 || d < w->min_step)
            w->min_step = d;
    }
    w->last = now;
}

/* The fastest step seen per call shape (a few recent shapes). */
#define N_STEP_REFS 16
static struct {
    Py_ssize_t key[6];
    int64_t best;
} g_step_refs[N_STEP_REFS];
static int g_step_ref_next = 0;
static pthread_mutex_t g_step_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t step_ref(const Py_ssize_t key[6], int64_t update) {
    int64_t best = 0;
    pthread_mutex_lock(&g_step_lock);
    int hit = -1;
    for (int i = 0; i < N_STEP_REFS && hit < 0; i++)
        if (g_step_refs[i].best > 0 && memcmp(g_step_refs[i].key, key, 6 * sizeof *key) == 0)
            hit = i;
    if (update > 0) {
        if (hit < 0) {
            hit = g_step_ref_next;
            g_step_ref_next = (g_step_ref_next + 1) % N_STEP_REFS;
            memcpy(g_step_refs[hit].key, key, 6 * sizeof *key);
            g_step_refs[hit].best = update;
        } else if (update < g_step_refs[hit].best) {
            g_step_refs[hit].best = update;
        }
    }
    if (hit >= 0)
        best = g_step_refs[hit].best;
    pthread_mutex_unlock(&g_step_lock);
    return best;
}

typedef struct {
    const kernel_set *ks;
    int kind, bwd;
    size_t item;
    Py_ssize_t ng; /* gates: the columns of A are ng*U */
    const fwd_args *fa;
    const bwd_args *ba;
    Py_ssize_t nchunks;
    int nthreads;    /* threads that may take chunks (tid < nthreads) */
    Py_ssize_t next; /* atomic: the next chunk to take */
    Py_ssize_t done; /* atomic: chunks finished */
    int rc;          /* atomic or */
    void *dW[MAX_THREADS], *db[MAX_THREADS];
} job_t;

#define OFF(p, n) ((p) ? (void *)((char *)(p) + (size_t)(n)*item) : NULL)

static void run_chunk(job_t *j, Py_ssize_t c) {
    const size_t item = j->item;
    int rc;
    if (!j->bwd) {
        fwd_args a = *j->fa;
        const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = j->ng * U;
        const Py_ssize_t b0 = c * B / j->nchunks, b1 = (c + 1) * B / j->nchunks;
        a.B = b1 - b0;
        a.Bs = B;
        a.x = OFF(a.x, b0 * T * I), a.dm = OFF(a.dm, b0 * I), a.M = OFF(a.M, b0);
        a.rdm = OFF(a.rdm, b0 * U), a.A = OFF(a.A, b0 * G), a.H = OFF(a.H, b0 * U);
        a.C = OFF(a.C, b0 * U), a.S = OFF(a.S, b0 * (j->kind == 1 ? G : U));
        a.out = OFF(a.out, b0 * T * U);
        rc = j->kind == 0 ? j->ks->lstm_fwd(&a) : j->kind == 1 ? j->ks->gru_fwd(&a)
                                                               : j->ks->rnn_fwd(&a);
    } else {
        bwd_args a = *j->ba;
        const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = j->ng * U;
        const Py_ssize_t b0 = c * B / j->nchunks, b1 = (c + 1) * B / j->nchunks;
        a.B = b1 - b0;
        a.Bs = B;
        a.x = OFF(a.x, b0 * T * I), a.dm = OFF(a.dm, b0 * I), a.M = OFF(a.M, b0);
        a.rdm = OFF(a.rdm, b0 * U), a.A = OFF(a.A, b0 * G), a.H = OFF(a.H, b0 * U);
        a.C = OFF(a.C, b0 * U), a.S = OFF(a.S, b0 * (j->kind == 1 ? G : U));
        a.dY = OFF(a.dY, b0 * T * U), a.dh = OFF(a.dh, b0 * U), a.dc = OFF(a.dc, b0 * U);
        a.dX = OFF(a.dX, b0 * T * I);
        a.dW = j->dW[c], a.db = j->db[c]; /* per chunk: the sums do not depend on who ran it */
        rc = j->kind == 0 ? j->ks->lstm_bwd(&a) : j->kind == 1 ? j->ks->gru_bwd(&a)
                                                               : j->ks->rnn_bwd(&a);
    }
    if (rc)
        __atomic_store_n(&j->rc, rc, __ATOMIC_RELAXED);
}

static void work_loop(job_t *j) {
    for (;;) {
        Py_ssize_t c = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (c >= j->nchunks)
            break;
        run_chunk(j, c);
        __atomic_add_fetch(&j->done, 1, __ATOMIC_SEQ_CST);
    }
}

/* ---- the worker pool ----------------------------------------------------------------------
 * Threads that live from the first split call to the end of the process, so that a split
 * costs a hand-over of a few microseconds, not a thread start (tens of microseconds: more than
 * a small model's whole call). After a job a worker spins for g_spin_ns (the next call of a
 * training loop comes within a fraction of a millisecond), then sleeps on a condition variable.
 * One call uses the pool at a time (`owner`); a concurrent call runs on its own thread.
 * Protocol (sequentially consistent atomics throughout):
 *   caller: job = &j; gen++; wake sleepers; work_loop; wait until every chunk is done;
 *           job = NULL; wait until active == 0 (j lives on the caller's stack)
 *   worker: wait until gen changes; active++; j = job; if j: work_loop; active--
 * A worker that enters late finds no chunk left (or job == NULL) and leaves at once; one that
 * never wakes (its core busy) costs nothing: the caller takes the chunks itself. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int nworkers;     /* started (under lock) */
    job_t *job;       /* atomic */
    uint64_t gen;     /* atomic */
    int sleepers;     /* atomic */
    int active;       /* atomic */
    int owner;        /* atomic: a call is using the pool */
} g_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, 0, 0, 0, 0};
static int64_t g_spin_ns = 2000000;
static int64_t g_pool_calls = 0, g_cold_calls = 0; /* atomic: calls run on the pool, cold */

#define SC __ATOMIC_SEQ_CST
static int64_t now_ns(void);

static inline void cpu_relax(void) {
#ifdef FASTRNN_X86
    __builtin_ia32_pause();
#endif
}

static void *pool_worker(void *p) {
    const int tid = (int)(intptr_t)p;
    uint64_t seen = __atomic_load_n(&g_pool.gen, SC);
    for (;;) {
        uint64_t g = __atomic_load_n(&g_pool.gen, SC);
        if (g == seen) {
            const int64_t until = now_ns() + __atomic_load_n(&g_spin_ns, __ATOMIC_RELAXED);
            for (int k = 1; (g = __atomic_load_n(&g_pool.gen, SC)) == seen; k++) {
                cpu_relax();
                if (k % 256 == 0 && now_ns() > until)
                    break;
            }
            if (g == seen) {
                pthread_mutex_lock(&g_pool.lock);
                __atomic_add_fetch(&g_pool.sleepers, 1, SC);
                while ((g = __atomic_load_n(&g_pool.gen, SC)) == seen)
                    pthread_cond_wait(&g_pool.wake, &g_pool.lock);
                __atomic_sub_fetch(&g_pool.sleepers, 1, SC);
                pthread_mutex_unlock(&g_pool.lock);
            }
        }
        seen = g;
        __atomic_add_fetch(&g_pool.active, 1, SC);
        job_t *j = __atomic_load_n(&g_pool.job, SC);
        if (j && tid < j->nthreads)
            work_loop(j);
        __atomic_sub_fetch(&g_pool.active, 1, SC);
    }
    return NULL;
}

/* Take the pool for a call wanting nt threads (itself included); returns the threads it may
 * use (1: the pool is busy or no worker could start). */
static int pool_acquire(int nt) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&g_pool.owner, &expected, 1, 0, SC, SC))
        return 1;
    pthread_mutex_lock(&g_pool.lock);
    while (g_pool.nworkers < nt - 1) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int rc = pthread_create(&th, &attr, pool_worker,
                                      (void *)(intptr_t)(g_pool.nworkers + 1));
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        g_pool.nworkers++;
    }
    const int have = g_pool.nworkers + 1;
    pthread_mutex_unlock(&g_pool.lock);
    if (have == 1)
        __atomic_store_n(&g_pool.owner, 0, SC);
    return have < nt ? have : nt;
}

static void pool_release(void) { __atomic_store_n(&g_pool.owner, 0, SC); }

static void pool_wake(void) {
    if (__atomic_load_n(&g_pool.sleepers, SC) > 0) {
        pthread_mutex_lock(&g_pool.lock);
        pthread_cond_broadcast(&g_pool.wake);
        pthread_mutex_unlock(&g_pool.lock);
    }
}

/* Whether a worker is asleep; if so it is woken with no job, so that it spins for the next
 * call (a worker woken from sleep can start a millisecond late, longer than a small call). */
static int pool_cold(void) {
    if (__atomic_load_n(&g_pool.sleepers, SC) == 0)
        return 0;
    __atomic_add_fetch(&g_pool.gen, 1, SC); /* job is NULL: the workers only wake up */
    pool_wake();
    __atomic_add_fetch(&g_cold_calls, 1, __ATOMIC_RELAXED);
    return 1;
}

/* Run job j (j->nthreads > 1) on the pool and the calling thread, then release the pool;
 * returns when the calling thread had finished the chunks it took (now_ns). */
static int64_t pool_run(job_t *j) {
    __atomic_add_fetch(&g_pool_calls, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&g_pool.job, j, SC);
    __atomic_add_fetch(&g_pool.gen, 1, SC);
    pool_wake();
    work_loop(j);
    const int64_t mine = now_ns();
    for (int k = 1; __atomic_load_n(&j->done, SC) < j->nchunks; k++) {
        cpu_relax();
        if (k % 1024 == 0)
            sched_yield(); /* a helper may share this core */
    }
    __atomic_store_n(&g_pool.job, NULL, SC);
    while (__atomic_load_n(&g_pool.active, SC) > 0)
        sched_yield();
    pool_release();
    return mine;
}

/* In a child process after fork() the workers do not exist. */
static void pool_after_fork_child(void) {
    pthread_mutex_init(&g_pool.lock, NULL);
    pthread_cond_init(&g_pool.wake, NULL);
    g_pool.nworkers = 0;
    g_pool.job = NULL;
    g_pool.sleepers = 0;
    g_pool.active = 0;
    g_pool.owner = 0;
}

/* Whether a call of B rows and `work` multiply-adds per direction is split over our threads
 * (before contention is considered): with a micro-kernel GEMM, or a BLAS one whose thread
 * count we control. */
static int splittable(Py_ssize_t B, Py_ssize_t work, int packed) {
    return g_threads > 1 && (packed || g_blas_set_threads != NULL) &&
           work >= g_min_parallel_work && B / g_min_chunk_rows >= 2;
}

/* Chunks of a splittable call of B rows: one per thread of the setting (the largest GEMMs),
 * at least g_min_chunk_rows rows each. A function of the shape and the setting only, never of
 * the load: the chunks and the order their weight gradients are summed in fix the numbers, so
 * a call gives the same bits whether its chunks then run on the pool or all on the calling
 * thread (contention, a cold pool, a concurrent call holding the pool). */
static Py_ssize_t plan_chunks(Py_ssize_t B) {
    Py_ssize_t n = g_threads > MAX_THREADS ? MAX_THREADS : g_threads;
    const Py_ssize_t maxc = B / g_min_chunk_rows;
    return n > maxc ? maxc : n;
}

/* Run a forward (fa) or backward (ba) call of a cell kind (0 LSTM, 1 GRU, 2 SimpleRNN). */
static int run_job(int kind, const fwd_args *fa, const bwd_args *ba, int dbl) {
    job_t j;
    memset(&j, 0, sizeof j);
    j.ks = kernels_for(dbl);
    j.kind = kind;
    j.bwd = ba != NULL;
    j.item = dbl ? 8 : 4;
    j.ng = kind == 0 ? 4 : kind == 1 ? 3 : 1;
    j.fa = fa;
    j.ba = ba;
    const Py_ssize_t B = ba ? ba->B : fa->B, T = ba ? ba->T : fa->T, U = ba ? ba->U : fa->U,
                     I = ba ? ba->I : fa->I, G = j.ng * U;
    const int packed = use_packed(j.item, B, G, I + U);
    const Py_ssize_t work = T * B * G * (I + U);
    const int split = splittable(B, work, packed);
    int nt = 1;
    j.nchunks = 1;
    /* BLAS GEMMs on a machine with several threads: BLAS's own threads (the fastest when the
     * cores are free), each step timed; after a stall (or while one was seen recently) BLAS
     * runs on one thread for the time of the call (other threads of the process see it too;
     * the count is restored when the last such call ends). */
    step_watch watch = {0, 0, 0, 0, 0, 0};
    const Py_ssize_t shape_key[6] = {kind * 2 + (ba != NULL), dbl, B, T, I, U};
    fwd_args fa_w;
    bwd_args ba_w;
    int own_blas = 0, pooled = 0;
    if (split && !packed && g_deterministic) {
        /* BLAS's threads as they are: its thread count, not the load, fixes the numbers */
    } else if (split && !packed && solo_now()) {
        own_blas = 1;
        blas_one_thread_acquire();
    } else if (split && !packed) {
        watch.ref = step_ref(shape_key, 0);
        if (ba) {
            ba_w = *ba;
            ba_w.watch = &watch;
            j.ba = &ba_w;
        } else {
            fa_w = *fa;
            fa_w.watch = &watch;
            j.fa = &fa_w;
        }
    } else if (split) {
        j.nchunks = plan_chunks(B);
        nt = solo_now() ? 1 : (int)j.nchunks;
        if (nt > 1) {
            nt = pool_acquire(nt);
            pooled = nt > 1;
            if (pooled && work < g_cold_parallel_work && pool_cold()) {
                pool_release();
                pooled = 0;
                nt = 1;
            }
        }
        if (nt == 1 && !ba)
            j.nchunks = 1; /* alone: a forward row's numbers do not depend on its chunk */
    }
    Py_ssize_t ndW = 0, ndb = 0;
    if (ba) { /* one dW/db buffer per chunk (not per thread), summed in chunk order below */
        ndW = ba->dW ? (I + U) * G : 0;
        ndb = ba->db ? (kind == 1 && ba->reset_after ? 2 : 1) * G : 0;
        if (ndW)
            memset(ba->dW, 0, (size_t)ndW * j.item);
        if (ndb)
            memset(ba->db, 0, (size_t)ndb * j.item);
        j.dW[0] = ba->dW;
        j.db[0] = ba->db;
        int short_of_memory = 0;
        for (Py_ssize_t c = 1; c < j.nchunks; c++) {
            j.dW[c] = ndW ? calloc((size_t)ndW, j.item) : NULL;
            j.db[c] = ndb ? calloc((size_t)ndb, j.item) : NULL;
            short_of_memory |= (ndW && !j.dW[c]) || (ndb && !j.db[c]);
        }
        if (short_of_memory) { /* MemoryError, rather than other numbers on fewer chunks */
            for (Py_ssize_t c = 1; c < j.nchunks; c++) {
                free(j.dW[c]);
                free(j.db[c]);
            }
            if (pooled)
                pool_release();
            if (own_blas)
                blas_one_thread_release();
            return 1;
        }
    }
    j.nthreads = nt;
    if (nt > 1) {
        const int64_t t0 = now_ns(), t1 = pool_run(&j), t2 = now_ns();
        if (t2 - t1 > (t1 - t0) / 2 + 100000) { /* waited: a helper ran >1.5x slower */
            if (++g_lagged >= 2)
                contention_seen(t2);
        } else {
            g_lagged = 0;
            g_backoff = 0.05;
        }
    } else {
        if (pooled)
            pool_release();
        work_loop(&j);
    }
    if (own_blas || watch.tripped)
        blas_one_thread_release();
    if (watch.steps > 1 && !watch.tripped)
        step_ref(shape_key, watch.min_step);
    for (Py_ssize_t t = 1; t < j.nchunks && ba; t++) {
        if (dbl) {
            double *o = (double *)ba->dW, *p = (double *)j.dW[t];
            for (Py_ssize_t i = 0; i < ndW; i++)
                o[i] += p[i];
            o = (double *)ba->db, p = (double *)j.db[t];
            for (Py_ssize_t i = 0; i < ndb; i++)
                o[i] += p[i];
        } else {
            float *o = (float *)ba->dW, *p = (float *)j.dW[t];
            for (Py_ssize_t i = 0; i < ndW; i++)
                o[i] += p[i];
            o = (float *)ba->db, p = (float *)j.db[t];
            for (Py_ssize_t i = 0; i < ndb; i++)
                o[i] += p[i];
        }
        free(j.dW[t]);
        free(j.db[t]);
    }
    return j.rc;
}
