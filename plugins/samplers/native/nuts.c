/* The native NUTS kernel: whole chains (tuning included) in C around a model's native
 * logp+gradient entry (arignote.native_entry's signature), with no Python between leapfrog
 * steps.  The algorithm is the Python NUTS's (plugins/samplers: integration.py,
 * trajectory.py, step_size.py, mass_matrix.py): multinomial sampling over a doubling tree
 * with the generalised U-turn checks across merged subtrees, divergences at a non-finite
 * or > max_energy energy error, Stan's dual averaging and windowed diagonal mass-matrix
 * adaptation (Stan's estimator or nutpie's gradient-based one).  Random numbers come from
 * Philox4x32-10 keyed per chain, so a chain depends on its seed only.
 *
 * Everything a chain carries between calls lives in ar_chain (owned by Python), so a
 * chain runs in chunks of iterations: Python checks Ctrl-C and updates progress bars
 * between chunks, and each call runs without the GIL.
 *
 * Each iteration is timed here (PyMC3's perf_counter_start/_diff and process_time_diff):
 * CLOCK_MONOTONIC is the clock of Python's time.perf_counter on Linux, so the start times
 * line up with Python's; the CPU time is the calling thread's (time.thread_time), since
 * chains of one process run in threads and a process clock would count the others. */

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <time.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ RNG */

static inline uint32_t mulhilo(uint32_t a, uint32_t b, uint32_t *hi) {
    uint64_t p = (uint64_t)a * b;
    *hi = (uint32_t)(p >> 32);
    return (uint32_t)p;
}

static void philox(const uint32_t key_in[2], const uint32_t ctr_in[4], uint32_t out[4]) {
    uint32_t k0 = key_in[0], k1 = key_in[1];
    uint32_t c0 = ctr_in[0], c1 = ctr_in[1], c2 = ctr_in[2], c3 = ctr_in[3];
    for (int r = 0; r < 10; r++) {
        uint32_t hi0, hi1;
        uint32_t lo0 = mulhilo(0xD2511F53u, c0, &hi0);
        uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, &hi1);
        uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
        k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

static uint32_t rng_u32(ar_chain *c) {
    if (c->rng_left == 0) {
        uint32_t ctr[4] = {(uint32_t)c->rng_counter, (uint32_t)(c->rng_counter >> 32),
                           c->rng_stream[0], c->rng_stream[1]};
        philox(c->rng_key, ctr, c->rng_buf);
        c->rng_counter++;
        c->rng_left = 4;
    }
    return c->rng_buf[4 - c->rng_left--];
}

/* uniform on [0, 1) with 53 random bits */
static double rng_uniform(ar_chain *c) {
    uint64_t a = rng_u32(c) >> 5, b = rng_u32(c) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

static double rng_normal(ar_chain *c) {
    if (c->has_spare) {
        c->has_spare = 0;
        return c->spare;
    }
    double u1 = 1.0 - rng_uniform(c), u2 = rng_uniform(c);  /* u1 in (0, 1] */
    double r = sqrt(-2.0 * log(u1)), t = 6.283185307179586 * u2;
    c->spare = r * sin(t);
    c->has_spare = 1;
    return r * cos(t);
}

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) return NAN;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------ model */

typedef struct {
    double *q, *p, *v, *g;
    double logp, energy;
} leaf_t;

typedef struct {
    leaf_t first, last, prop;
    double *psum;
    double log_size, accept_sum, max_err;
    int64_t n_steps;
    int div, turn;
} sub_t;

typedef struct {
    const ar_settings *s;
    ar_chain *c;
    ar_model *m;
    int64_t n;
    double *inv_mass, *rho;
    sub_t *tmp;   /* one per depth */
    double energy0, max_energy;
    int failed;
} tree_t;

static int eval_model(ar_model *m, const double *x, double *logp, double *grad) {
    void *outs[2] = {logp, grad};
    m->in_data[0] = (void *)x;
    return m->fn(m->scratch, (void *const *)m->in_data, m->in_shapes, outs, &m->n);
}

static inline double dot(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* one leapfrog step of size eps (negative: backwards) from a to b */
static int leapfrog(tree_t *t, const leaf_t *a, leaf_t *b, double eps) {
    int64_t n = t->n;
    const double *im = t->inv_mass;
    double half = 0.5 * eps;
    for (int64_t i = 0; i < n; i++) {
        double p = a->p[i] + half * a->g[i];
        b->p[i] = p;
        b->q[i] = a->q[i] + eps * im[i] * p;
    }
    double logp = 0.0;
    if (eval_model(t->m, b->q, &logp, b->g) != 0) {
        memcpy(t->c->failed_x, b->q, n * sizeof(double));
        t->failed = 1;
        return 1;
    }
    double k = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double p = b->p[i] + half * b->g[i];
        double v = im[i] * p;
        b->p[i] = p;
        b->v[i] = v;
        k += p * v;
    }
    b->logp = logp;
    b->energy = 0.5 * k - logp;
    return 0;
}

static void copy_leaf(leaf_t *dst, const leaf_t *src, int64_t n) {
    memcpy(dst->q, src->q, n * sizeof(double));
    memcpy(dst->p, src->p, n * sizeof(double));
    memcpy(dst->v, src->v, n * sizeof(double));
    memcpy(dst->g, src->g, n * sizeof(double));
    dst->logp = src->logp;
    dst->energy = src->energy;
}

static void swap_leaf(leaf_t *a, leaf_t *b) {
    leaf_t t = *a;
    *a = *b;
    *b = t;
}

static double logaddexp(double a, double b) {
    if (a < b) { double t = a; a = b; b = t; }
    if (b == -INFINITY) return a;
    return a + log1p(exp(b - a));
}

/* rho.va <= 0 or rho.vb <= 0 */
static int turning(const double *va, const double *vb, const double *rho, int64_t n) {
    return dot(rho, va, n) <= 0.0 || dot(rho, vb, n) <= 0.0;
}

/* the U-turn checks of adjacent runs a then b (building order): the whole, and each run
 * extended by the first leaf of the other */
static int joint_turning(tree_t *t, const leaf_t *a_first, const leaf_t *a_last, const double *a_psum,
                         const leaf_t *b_first, const leaf_t *b_last, const double *b_psum,
                         const double *total) {
    int64_t n = t->n;
    double *rho = t->rho;
    if (turning(a_first->v, b_last->v, total, n)) return 1;
    for (int64_t i = 0; i < n; i++) rho[i] = a_psum[i] + b_first->p[i];
    if (turning(a_first->v, b_first->v, rho, n)) return 1;
    for (int64_t i = 0; i < n; i++) rho[i] = a_last->p[i] + b_psum[i];
    return turning(a_last->v, b_last->v, rho, n);
}

/* a subtree of 2**depth leapfrog steps from start, into out */
static void build(tree_t *t, const leaf_t *start, int depth, double eps, sub_t *out) {
    int64_t n = t->n;
    if (depth == 0) {
        leaf_t *new = &out->last;
        if (leapfrog(t, start, new, eps)) return;
        double err = new->energy - t->energy0;
        if (err != err || err == INFINITY) err = INFINITY;
        copy_leaf(&out->first, new, n);
        copy_leaf(&out->prop, new, n);
        memcpy(out->psum, new->p, n * sizeof(double));
        out->log_size = -err;
        out->accept_sum = err <= 0.0 ? 1.0 : exp(-err);
        out->n_steps = 1;
        out->div = err > t->max_energy;
        out->turn = 0;
        out->max_err = err;
        return;
    }
    build(t, start, depth - 1, eps, out);
    if (t->failed || out->div || out->turn) return;
    sub_t *t2 = &t->tmp[depth];
    build(t, &out->last, depth - 1, eps, t2);
    if (t->failed) return;
    if (t2->max_err > out->max_err) out->max_err = t2->max_err;
    out->accept_sum += t2->accept_sum;
    out->n_steps += t2->n_steps;
    if (t2->div || t2->turn) {
        out->div = t2->div;
        out->turn = t2->turn;
        out->log_size = -INFINITY;
        return;
    }
    double size1 = out->log_size;
    double log_size = logaddexp(size1, t2->log_size);
    if (log(rng_uniform(t->c)) < t2->log_size - log_size) swap_leaf(&out->prop, &t2->prop);
    out->log_size = log_size;
    /* turning checks need both runs' sums: keep run 1's in t2->psum's place meanwhile */
    double *total = t->rho + n;
    for (int64_t i = 0; i < n; i++) total[i] = out->psum[i] + t2->psum[i];
    int turn;
    if (depth == 1) {
        turn = dot(total, out->first.v, n) <= 0.0 || dot(total, t2->last.v, n) <= 0.0;
    } else {
        turn = joint_turning(t, &out->first, &out->last, out->psum, &t2->first, &t2->last, t2->psum, total);
    }
    memcpy(out->psum, total, n * sizeof(double));
    swap_leaf(&out->last, &t2->last);
    out->turn = turn;
}

/* ------------------------------------------------------------------ adaptation */

static void dual_restart(ar_chain *c, double eps) {
    c->da_mu = log(10.0 * eps);
    c->da_log_step = log(eps);
    c->da_log_bar = 0.0;
    c->da_hbar = 0.0;
    c->da_count = 0;
}

static void dual_update(const ar_settings *s, ar_chain *c, double accept) {
    c->da_count++;
    double n = (double)c->da_count;
    double w = 1.0 / (n + s->t0);
    c->da_hbar = (1.0 - w) * c->da_hbar + w * (s->target_accept - accept);
    c->da_log_step = c->da_mu - sqrt(n) / s->gamma * c->da_hbar;
    double eta = pow(n, -s->k);
    c->da_log_bar = eta * c->da_log_step + (1.0 - eta) * c->da_log_bar;
}

static double dual_current(ar_chain *c, int tune) {
    return exp(tune || c->da_count == 0 ? c->da_log_step : c->da_log_bar);
}

static double dual_averaged(ar_chain *c) {
    return exp(c->da_count ? c->da_log_bar : c->da_log_step);
}

static void welford_add(double *mean, double *m2, int64_t count, const double *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double d = x[i] - mean[i];
        mean[i] += d / (double)count;
        m2[i] += d * (x[i] - mean[i]);
    }
}

static void set_inv_mass(ar_chain *c, int64_t n) {
    for (int64_t i = 0; i < n; i++) c->p_scale[i] = 1.0 / sqrt(c->inv_mass[i]);
}

/* warm-up draw number i at (q, g); the matrix is re-estimated at each window's end */
static void mass_update(const ar_settings *s, ar_chain *c, int64_t i, const double *q, const double *g) {
    int64_t n = s->n;
    if (i < s->window_start) return;
    c->w_count++;
    welford_add(c->w_mean_q, c->w_m2_q, c->w_count, q, n);
    if (s->grad_estimator) welford_add(c->w_mean_g, c->w_m2_g, c->w_count, g, n);
    int end = 0;
    for (int64_t k = 0; k < s->n_window_ends; k++)
        if (s->window_ends[k] == i + 1) end = 1;
    if (!end) return;
    double cnt = (double)c->w_count, denom = (double)(c->w_count > 1 ? c->w_count - 1 : 1);
    int ok = 1;
    double *new = c->rho_scratch;
    for (int64_t j = 0; j < n; j++) {
        double var_q = c->w_m2_q[j] / denom, est = var_q;
        if (s->grad_estimator) {
            double var_g = c->w_m2_g[j] / denom;
            est = sqrt(var_g > 0 ? var_q / var_g : var_q);
        }
        double v = (cnt / (cnt + 5.0)) * est + 1e-3 * (5.0 / (cnt + 5.0));
        if (!isfinite(v) || v <= 0) ok = 0;
        new[j] = v;
    }
    c->w_count = 0;
    memset(c->w_mean_q, 0, n * sizeof(double));
    memset(c->w_m2_q, 0, n * sizeof(double));
    memset(c->w_mean_g, 0, n * sizeof(double));
    memset(c->w_m2_g, 0, n * sizeof(double));
    if (!ok) return;
    for (int64_t j = 0; j < n; j++) c->inv_mass[j] = fmin(fmax(new[j], 1e-10), 1e10);
    set_inv_mass(c, n);
}

/* ------------------------------------------------------------------ transitions */

static void leaves_at(double *mem, leaf_t *l, int64_t n) {
    l->q = mem; l->p = mem + n; l->v = mem + 2 * n; l->g = mem + 3 * n;
}

/* the workspace: root, left, right, proposal, the top subtree and one per depth, 2 vectors */
int64_t ar_nuts_workspace(int64_t n, int64_t max_depth) {
    return (4 * 4 + (max_depth + 2) * 13) * n + 4 * n;
}

static void layout(tree_t *t, double *ws, leaf_t *fixed, sub_t *subs, int64_t n_subs) {
    int64_t n = t->n;
    for (int k = 0; k < 4; k++) { leaves_at(ws, &fixed[k], n); ws += 4 * n; }
    for (int64_t k = 0; k < n_subs; k++) {
        leaves_at(ws, &subs[k].first, n); ws += 4 * n;
        leaves_at(ws, &subs[k].last, n); ws += 4 * n;
        leaves_at(ws, &subs[k].prop, n); ws += 4 * n;
        subs[k].psum = ws; ws += n;
    }
    t->rho = ws;
}

static void draw_root(tree_t *t, leaf_t *root) {
    ar_chain *c = t->c;
    int64_t n = t->n;
    double k = 0.0;
    memcpy(root->q, c->q, n * sizeof(double));
    memcpy(root->g, c->grad, n * sizeof(double));
    for (int64_t i = 0; i < n; i++) {
        double p = rng_normal(c) * c->p_scale[i];
        double v = c->inv_mass[i] * p;
        root->p[i] = p;
        root->v[i] = v;
        k += p * v;
    }
    root->logp = c->logp;
    root->energy = 0.5 * k - c->logp;
}

/* Stan's init_stepsize: double or halve until one step's acceptance crosses 0.8 */
static int find_step_size(tree_t *t, leaf_t *root, leaf_t *new, double eps, double *out) {
    double log_target = log(0.8);
    int direction = 0;
    for (int it = 0; it < 100; it++) {
        draw_root(t, root);
        if (leapfrog(t, root, new, eps)) return 1;
        double delta = root->energy - new->energy;
        if (delta != delta) delta = -INFINITY;
        if (direction == 0) direction = delta > log_target ? 1 : -1;
        else if ((direction == 1) != (delta > log_target)) break;
        double next = eps * (direction == 1 ? 2.0 : 0.5);
        if (!(1e-7 < next && next < 1e7)) break;
        eps = next;
    }
    *out = eps;
    return 0;
}

/* Run iterations [c->iter, c->iter + n_iter) of the chain; draws (n_iter x n) and stats
 * (n_iter x AR_N_STATS, in NUTS.stat_names order) are written row by row.  Returns the
 * iterations done (all unless the model's entry failed: then c->failed is set and
 * c->failed_x holds the point). */
int64_t ar_nuts_run(const ar_settings *s, ar_chain *c, ar_model *m, double *ws, int64_t n_iter,
                    double *draws, double *stats) {
    int64_t n = s->n;
    leaf_t fixed[4];
    sub_t *subs = malloc((size_t)(s->max_treedepth + 2) * sizeof(sub_t));
    if (subs == NULL) { c->failed = 2; return 0; }
    tree_t t = {s, c, m, n, c->inv_mass, NULL, subs + 1, 0.0, s->max_energy, 0};
    layout(&t, ws, fixed, subs, s->max_treedepth + 2);
    leaf_t *root = &fixed[0], *left = &fixed[1], *right = &fixed[2], *prop = &fixed[3];
    sub_t *sub = &subs[0];
    c->rho_scratch = t.rho + n;
    int64_t done = 0;
    /* an iteration's end is the next one's start: two clock reads per iteration */
    double wall0 = clock_seconds(CLOCK_MONOTONIC), cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    for (; done < n_iter; done++) {
        int64_t i = c->iter;
        int tune = i < s->n_tune;
        if (c->fresh && tune) {
            if (s->grad_init) {  /* nutpie's first guess, 1/|grad|, unless a matrix was given */
                int ok = 1;
                for (int64_t j = 0; j < n; j++) {
                    double g = fabs(c->grad[j]);
                    if (!(isfinite(g) && g > 0)) ok = 0;
                }
                if (ok) {
                    for (int64_t j = 0; j < n; j++) c->inv_mass[j] = fmin(fmax(1.0 / fabs(c->grad[j]), 1e-10), 1e10);
                    set_inv_mass(c, n);
                }
            }
            if (s->adapt_step_size) {
                double eps;
                if (find_step_size(&t, root, left, dual_current(c, 1), &eps)) break;
                dual_restart(c, eps);
            }
            c->fresh = 0;
        }
        double eps = s->adapt_step_size ? dual_current(c, tune) : s->step_size;
        int64_t max_depth = tune && c->adapt_iter < 200 ? s->early_max_treedepth : s->max_treedepth;
        if (max_depth > s->max_treedepth) max_depth = s->max_treedepth;
        draw_root(&t, root);
        copy_leaf(left, root, n);
        copy_leaf(right, root, n);
        copy_leaf(prop, root, n);
        double *psum = t.rho + 2 * n;  /* the trajectory's momentum sum, and one for the new total */
        double *total = t.rho + 3 * n;
        memcpy(psum, root->p, n * sizeof(double));
        double log_size = 0.0, accept_sum = 0.0, max_err = 0.0;
        int64_t n_steps = 0, depth = 0;
        int diverging = 0;
        t.energy0 = root->energy;
        while (depth < max_depth) {
            int forward = rng_uniform(c) < 0.5;
            leaf_t *near = forward ? right : left, *far = forward ? left : right;
            build(&t, near, (int)depth, forward ? eps : -eps, sub);
            if (t.failed) break;
            depth++;
            accept_sum += sub->accept_sum;
            n_steps += sub->n_steps;
            if (sub->max_err > max_err) max_err = sub->max_err;
            if (sub->div) { diverging = 1; break; }
            if (sub->turn) break;
            if (log(rng_uniform(c)) < sub->log_size - log_size) swap_leaf(prop, &sub->prop);
            log_size = logaddexp(log_size, sub->log_size);
            for (int64_t j = 0; j < n; j++) total[j] = psum[j] + sub->psum[j];
            int turn = joint_turning(&t, far, near, psum, &sub->first, &sub->last, sub->psum, total);
            memcpy(psum, total, n * sizeof(double));
            swap_leaf(near, &sub->last);
            if (turn) break;
        }
        if (t.failed) break;
        double mean_accept = accept_sum / (double)(n_steps > 1 ? n_steps : 1);
        if (tune) {
            if (s->adapt_step_size) dual_update(s, c, mean_accept);
            if (s->adapt_mass) mass_update(s, c, c->adapt_iter, prop->q, prop->g);
            c->adapt_iter++;
        }
        memcpy(c->q, prop->q, n * sizeof(double));
        memcpy(c->grad, prop->g, n * sizeof(double));
        c->logp = prop->logp;
        memcpy(draws + done * n, prop->q, n * sizeof(double));
        double *st = stats + done * AR_N_STATS;
        st[0] = (double)depth;
        st[1] = eps;
        st[2] = tune;
        st[3] = mean_accept;
        st[4] = dual_averaged(c);
        st[5] = (double)n_steps;
        st[6] = diverging;
        st[7] = prop->energy - t.energy0;
        st[8] = prop->energy;
        st[9] = max_err;
        st[10] = prop->logp;
        double wall1 = clock_seconds(CLOCK_MONOTONIC), cpu1 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
        st[11] = cpu1 - cpu0;
        st[12] = wall1 - wall0;
        st[13] = wall0;
        wall0 = wall1;
        cpu0 = cpu1;
        c->iter++;
    }
    free(subs);
    if (t.failed) c->failed = 1;
    return done;
}

void ar_nuts_start(const ar_settings *s, ar_chain *c) {
    dual_restart(c, s->step_size);
    set_inv_mass(c, s->n);
}
