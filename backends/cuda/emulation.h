/*
 * arignote CUDA emulation: CUDA kernel source compiled as C++ (g++ -std=c++17) and run on the CPU.
 *
 * A launch runs the grid's blocks one after another.  A block of one thread runs inline; a block
 * of several threads runs as that many pthreads meeting at a pthread barrier in __syncthreads(),
 * so block reductions through __shared__ memory are exercised as on a device (shared memory is a
 * function-static array: only one block runs at a time).  threadIdx/blockIdx are thread-local.
 * What this cannot show: warp scheduling, memory coalescing, the device's math-library ulps,
 * register/shared-memory limits, and races between blocks.
 */
#include <math.h>
#include <stdint.h>
#include <pthread.h>

#define __global__
#define __device__
#define __shared__ static
#define __restrict__ __restrict

struct ar_dim3 { unsigned x, y, z; };
static thread_local ar_dim3 threadIdx, blockIdx;
static ar_dim3 blockDim, gridDim;
static pthread_barrier_t ar_emu_barrier;

static inline void __syncthreads(void)
{
    if (blockDim.x > 1) pthread_barrier_wait(&ar_emu_barrier);
}

static inline int atomicOr(int *p, int v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }

static inline double erfinv(double y);
static inline float erfinvf(float y);

template <class F>
struct ar_emu_job { F *f; unsigned b, t; };

template <class F>
static void *ar_emu_thread(void *p)
{
    ar_emu_job<F> *j = (ar_emu_job<F> *)p;
    blockIdx = {j->b, 0, 0};
    threadIdx = {j->t, 0, 0};
    (*j->f)();
    return 0;
}

/* Runs kernel body ``f`` on a grid of ``grid`` blocks of ``block`` (<= AR_BLOCK) threads. */
template <class F>
static void ar_emu_launch(unsigned grid, unsigned block, F f)
{
    gridDim = {grid, 1, 1};
    blockDim = {block, 1, 1};
    for (unsigned b = 0; b < grid; b++) {
        if (block == 1) {
            blockIdx = {b, 0, 0};
            threadIdx = {0, 0, 0};
            f();
            continue;
        }
        ar_emu_job<F> jobs[AR_BLOCK];
        pthread_t threads[AR_BLOCK];
        pthread_barrier_init(&ar_emu_barrier, 0, block);
        for (unsigned t = 0; t < block; t++) {
            jobs[t] = ar_emu_job<F>{&f, b, t};
            pthread_create(&threads[t], 0, ar_emu_thread<F>, &jobs[t]);
        }
        for (unsigned t = 0; t < block; t++) pthread_join(threads[t], 0);
        pthread_barrier_destroy(&ar_emu_barrier);
    }
}

#define AR_EMU_TAIL \
    static inline double erfinv(double y) { return ar_erfinv(y); } \
    static inline float erfinvf(float y) { return (float)ar_erfinv((double)y); }
