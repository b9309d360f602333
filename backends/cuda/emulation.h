/*
 * arignote CUDA emulation: CUDA kernel source compiled as C++ (g++ -std=c++20) and run on the CPU.
 *
 * A launch runs the grid's blocks one after another.  A block of one thread runs inline; a block
 * of several threads runs as that many std::threads meeting at a std::barrier in __syncthreads(),
 * so block reductions through __shared__ memory are exercised as on a device (shared memory is a
 * function-static array: only one block runs at a time).  threadIdx/blockIdx are thread-local.
 * What this cannot show: warp scheduling, memory coalescing, the device's math-library ulps,
 * register/shared-memory limits, and races between blocks.
 */
#include <math.h>
#include <stdint.h>
#include <barrier>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __shared__ static
#define __restrict__ __restrict

struct ar_dim3 { unsigned x, y, z; };
static thread_local ar_dim3 threadIdx, blockIdx;
static ar_dim3 blockDim, gridDim;
static std::barrier<> *ar_emu_barrier;

static inline void __syncthreads(void)
{
    if (blockDim.x > 1) ar_emu_barrier->arrive_and_wait();
}

static inline int atomicOr(int *p, int v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }

static inline double erfinv(double y);
static inline float erfinvf(float y);

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
        std::barrier<> bar(block);
        ar_emu_barrier = &bar;
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < block; t++)
            threads.emplace_back([=] { blockIdx = {b, 0, 0}; threadIdx = {t, 0, 0}; f(); });
        for (auto &th : threads) th.join();
    }
}

#define AR_EMU_TAIL \
    static inline double erfinv(double y) { return ar_erfinv(y); } \
    static inline float erfinvf(float y) { return (float)ar_erfinv((double)y); }
