/*
 * arignote kernel prelude: types and scalar helpers with NumPy's semantics.
 *
 * Included (as text) at the top of every generated kernel module.  Integer
 * division and remainder follow NumPy (floor semantics, x // 0 == 0,
 * MIN // -1 == MIN), float floor division and remainder are NumPy's
 * npy_divmod, complex products and quotients use NumPy's formulas, and
 * maximum/minimum propagate NaN.  With AR_MVEC the libm functions are
 * declared `omp declare simd` so that gcc calls glibc's libmvec variants in
 * vectorised loops (results keep NumPy's nan/inf semantics; no -ffast-math).
 */
#include <math.h>
#include <complex.h>
#include <stdint.h>
#include <stddef.h>

typedef intptr_t ar_intp;
typedef unsigned char ar_bool;

#ifdef AR_MVEC
#define AR_SIMD_DECL(f) _Pragma("omp declare simd notinbranch") double f(double); \
    _Pragma("omp declare simd notinbranch") float f##f(float);
#define AR_SIMD_DECL2(f) _Pragma("omp declare simd notinbranch") double f(double, double); \
    _Pragma("omp declare simd notinbranch") float f##f(float, float);
AR_SIMD_DECL(exp) AR_SIMD_DECL(log) AR_SIMD_DECL(sin) AR_SIMD_DECL(cos)
AR_SIMD_DECL2(pow)
#ifdef AR_MVEC_FULL
AR_SIMD_DECL(exp2) AR_SIMD_DECL(expm1) AR_SIMD_DECL(log2) AR_SIMD_DECL(log10) AR_SIMD_DECL(log1p)
AR_SIMD_DECL(tan) AR_SIMD_DECL(asin) AR_SIMD_DECL(acos) AR_SIMD_DECL(atan) AR_SIMD_DECL(sinh)
AR_SIMD_DECL(cosh) AR_SIMD_DECL(tanh) AR_SIMD_DECL(asinh) AR_SIMD_DECL(acosh) AR_SIMD_DECL(atanh)
AR_SIMD_DECL(erf) AR_SIMD_DECL(erfc) AR_SIMD_DECL2(atan2)
#endif
#endif

/* ------------------------------------------------------------ floats */
#define AR_FLOAT_HELPERS(T, S)                                                          \
    static inline T ar_max_nan##S(T a, T b) { return isnan(a) ? a : (a > b ? a : b); }  \
    static inline T ar_min_nan##S(T a, T b) { return isnan(a) ? a : (a < b ? a : b); }  \
    static inline T ar_divmod##S(T a, T b, T *modulus)                                  \
    {                                                                                   \
        T mod = fmod##S(a, b), div, floordiv;                                           \
        if (!b) {                                                                       \
            *modulus = mod;                                                             \
            return a / b;                                                               \
        }                                                                               \
        div = (a - mod) / b;                                                            \
        if (mod) {                                                                      \
            if (isless(b, (T)0) != isless(mod, (T)0)) {                                 \
                mod += b;                                                               \
                div -= (T)1;                                                            \
            }                                                                           \
        } else {                                                                        \
            mod = copysign##S((T)0, b);                                                 \
        }                                                                               \
        if (div) {                                                                      \
            floordiv = floor##S(div);                                                   \
            if (isgreater(div - floordiv, (T)0.5)) floordiv += (T)1;                    \
        } else {                                                                        \
            floordiv = copysign##S((T)0, a / b);                                        \
        }                                                                               \
        *modulus = mod;                                                                 \
        return floordiv;                                                                \
    }                                                                                   \
    static inline T ar_floordiv##S(T a, T b)                                            \
    {                                                                                   \
        T mod;                                                                          \
        if (!b) return a / b;                                                           \
        return ar_divmod##S(a, b, &mod);                                                \
    }                                                                                   \
    static inline T ar_fmod##S(T a, T b)                                                \
    {                                                                                   \
        T mod;                                                                          \
        if (!b) return fmod##S(a, b);                                                   \
        ar_divmod##S(a, b, &mod);                                                       \
        return mod;                                                                     \
    }                                                                                   \
    static inline T ar_sigmoid##S(T x)                                                  \
    {                                                                                   \
        T e = exp##S(-fabs##S(x));                                                      \
        return x >= 0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e);                             \
    }                                                                                   \
    static inline T ar_softplus##S(T x)                                                 \
    {                                                                                   \
        return x > 30 ? x : log1p##S(exp##S(ar_min_nan##S(x, (T)30)));                  \
    }

AR_FLOAT_HELPERS(double, )
AR_FLOAT_HELPERS(float, f)

/* maximum/minimum of equal values (0.0 and -0.0) as NumPy: its float32/float64 loops return
   the second argument, its float16 loop the first (computed in float, hence the names). */
#define ar_max_nan_float64 ar_max_nan
#define ar_min_nan_float64 ar_min_nan
#define ar_max_nan_float32 ar_max_nanf
#define ar_min_nan_float32 ar_min_nanf
static inline float ar_max_nan_float16(float a, float b) { return (a >= b || isnan(a)) ? a : b; }
static inline float ar_min_nan_float16(float a, float b) { return (a <= b || isnan(a)) ? a : b; }

/* ----------------------------------------------------------- complex */
#define AR_COMPLEX_HELPERS(C, T, S, MK)                                                  \
    static inline C ar_cmul##S(C a, C b)                                                 \
    {                                                                                    \
        T ar = creal##S(a), ai = cimag##S(a), br = creal##S(b), bi = cimag##S(b);        \
        return MK(ar * br - ai * bi, ar * bi + ai * br);                                 \
    }                                                                                    \
    static inline C ar_cdiv##S(C a, C b)                                                 \
    {                                                                                    \
        T ar = creal##S(a), ai = cimag##S(a), br = creal##S(b), bi = cimag##S(b);        \
        T abr = fabs##S(br), abi = fabs##S(bi);                                          \
        if (abr >= abi) {                                                                \
            if (abr == 0 && abi == 0) return MK(ar / abr, ai / abr);                     \
            T rat = bi / br, scl = (T)1 / (br + bi * rat);                               \
            return MK((ar + ai * rat) * scl, (ai - ar * rat) * scl);                     \
        }                                                                                \
        T rat = br / bi, scl = (T)1 / (bi + br * rat);                                   \
        return MK((ar * rat + ai) * scl, (ai * rat - ar) * scl);                         \
    }                                                                                    \
    static inline C ar_crecip##S(C a)                                                    \
    {                                                                                    \
        T ar = creal##S(a), ai = cimag##S(a);                                            \
        if (fabs##S(ai) <= fabs##S(ar)) {                                                \
            T r = ai / ar, d = ar + ai * r;                                              \
            return MK((T)1 / d, -r / d);                                                 \
        }                                                                                \
        T r = ar / ai, d = ar * r + ai;                                                  \
        return MK(r / d, (T)-1 / d);                                                     \
    }                                                                                    \
    static inline T ar_cabs##S(C a) { return hypot##S(creal##S(a), cimag##S(a)); }        \
    /* NumPy's complex pow (npy_cpow): 1 for a zero exponent, 0 or nan for a zero base,        \
     * repeated products for integral real exponents below 100 in size, else libm's cpow */     \
    static inline C ar_cpow##S(C a, C b)                                                 \
    {                                                                                    \
        T ar = creal##S(a), ai = cimag##S(a), br = creal##S(b), bi = cimag##S(b);        \
        if (br == 0 && bi == 0) return MK(1, 0);                                         \
        if (ar == 0 && ai == 0) return br > 0 ? MK(0, 0) : MK(NAN, NAN);                 \
        if (bi == 0 && br > -100 && br < 100 && (T)(int64_t)br == br) {                  \
            int64_t n = (int64_t)br;                                                     \
            if (n == 1) return MK(ar, ai);                                               \
            if (n == 2) return ar_cmul##S(a, a);                                         \
            if (n == 3) return ar_cmul##S(a, ar_cmul##S(a, a));                          \
            C acc = MK(1, 0), p = a;                                                     \
            int64_t m = n < 0 ? -n : n, mask = 1;                                        \
            for (;;) {                                                                   \
                if (m & mask) acc = ar_cmul##S(acc, p);                                  \
                mask <<= 1;                                                              \
                if (m < mask) break;                                                     \
                p = ar_cmul##S(p, p);                                                    \
            }                                                                            \
            return br < 0 ? ar_cdiv##S(MK(1, 0), acc) : acc;                             \
        }                                                                                \
        return cpow##S(a, b);                                                            \
    }                                                                                    \
    /* NumPy's complex sign: z / |z|, 0 at 0, nan when |z| is nan or both parts are infinite */ \
    static inline C ar_csgn##S(C a)                                                      \
    {                                                                                    \
        T ar = creal##S(a), ai = cimag##S(a), h = hypot##S(ar, ai);                      \
        if (isnan(h)) return MK(NAN, NAN);                                               \
        if (isinf(h)) {                                                                  \
            if (isinf(ar)) return isinf(ai) ? MK(NAN, NAN) : MK(ar > 0 ? 1 : -1, 0);     \
            return MK(0, ai > 0 ? 1 : -1);                                               \
        }                                                                                \
        if (h == 0) return MK(0, 0);                                                     \
        return MK(ar / h, ai / h);                                                       \
    }                                                                                    \
    /* NumPy's exp2, expm1, log2, log10, log1p and rint of a complex (funcs.inc.src) */   \
    static inline C ar_cexp2##S(C a)                                                     \
    {                                                                                    \
        return cexp##S(MK(creal##S(a) * (T)AR_LN2, cimag##S(a) * (T)AR_LN2));            \
    }                                                                                    \
    static inline C ar_cexpm1##S(C a)                                                    \
    {                                                                                    \
        T x = creal##S(a), y = cimag##S(a), h = sin##S(y / 2);                           \
        return MK(expm1##S(x) * cos##S(y) - 2 * h * h, exp##S(x) * sin##S(y));           \
    }                                                                                    \
    static inline C ar_clog2##S(C a)                                                     \
    {                                                                                    \
        C r = clog##S(a);                                                                \
        return MK(creal##S(r) * (T)AR_LOG2E, cimag##S(r) * (T)AR_LOG2E);                 \
    }                                                                                    \
    static inline C ar_clog10##S(C a)                                                    \
    {                                                                                    \
        C r = clog##S(a);                                                                \
        return MK(creal##S(r) * (T)AR_LOG10E, cimag##S(r) * (T)AR_LOG10E);               \
    }                                                                                    \
    static inline C ar_clog1p##S(C a)                                                    \
    {                                                                                    \
        T x = creal##S(a) + 1, y = cimag##S(a);                                          \
        return MK(log##S(hypot##S(x, y)), atan2##S(y, x));                               \
    }                                                                                    \
    static inline C ar_crint##S(C a) { return MK(rint##S(creal##S(a)), rint##S(cimag##S(a))); }

#define AR_LN2 0.693147180559945309417232121458176568
#define AR_LOG2E 1.442695040888963407359924681001892137
#define AR_LOG10E 0.434294481903251827651128918916605082
AR_COMPLEX_HELPERS(double _Complex, double, , CMPLX)
AR_COMPLEX_HELPERS(float _Complex, float, f, CMPLXF)

/* ---------------------------------------------------------- integers */
#define AR_INT_HELPERS(T, U, NAME, MIN)                                                  \
    static inline T ar_floordiv_##NAME(T a, T b)                                         \
    {                                                                                    \
        if (b == 0) return 0;                                                            \
        if (b == -1 && a == MIN) return MIN;                                             \
        T q = (T)(a / b);                                                                \
        if (((a > 0) != (b > 0)) && (T)(q * b) != a) q--;                                \
        return q;                                                                        \
    }                                                                                    \
    static inline T ar_mod_##NAME(T a, T b)                                              \
    {                                                                                    \
        if (b == 0 || b == -1) return 0;                                                 \
        T r = (T)(a % b);                                                                \
        if (r != 0 && ((r < 0) != (b < 0))) r = (T)(r + b);                              \
        return r;                                                                        \
    }                                                                                    \
    static inline T ar_ipow_##NAME(T a, T b, int *err)                                   \
    {                                                                                    \
        if (b < 0) {                                                                     \
            *err = 1;                                                                    \
            return 0;                                                                    \
        }                                                                                \
        U base = (U)a, r = 1, e = (U)b;                                                  \
        while (e) {                                                                      \
            if (e & 1) r = (U)(r * base);                                                \
            base = (U)(base * base);                                                     \
            e >>= 1;                                                                     \
        }                                                                                \
        return (T)r;                                                                     \
    }

#define AR_UINT_HELPERS(U, NAME)                                                         \
    static inline U ar_udiv_##NAME(U a, U b) { return b == 0 ? 0 : (U)(a / b); }         \
    static inline U ar_umod_##NAME(U a, U b) { return b == 0 ? 0 : (U)(a % b); }         \
    static inline U ar_upow_##NAME(U a, U b)                                             \
    {                                                                                    \
        U r = 1;                                                                         \
        while (b) {                                                                      \
            if (b & 1) r = (U)(r * a);                                                   \
            a = (U)(a * a);                                                              \
            b >>= 1;                                                                     \
        }                                                                                \
        return r;                                                                        \
    }

AR_INT_HELPERS(int8_t, uint8_t, int8, INT8_MIN)
AR_INT_HELPERS(int16_t, uint16_t, int16, INT16_MIN)
AR_INT_HELPERS(int32_t, uint32_t, int32, INT32_MIN)
AR_INT_HELPERS(int64_t, uint64_t, int64, INT64_MIN)
AR_UINT_HELPERS(uint8_t, uint8)
AR_UINT_HELPERS(uint16_t, uint16)
AR_UINT_HELPERS(uint32_t, uint32)
AR_UINT_HELPERS(uint64_t, uint64)

/* ----------------------------------------------------------- selects */
/* switch(c, a, b) on a bool condition as a bit mask: gcc 12 with AVX-512VL does not vectorise
   `c ? a : b` when c is a byte loaded from memory and a, b are 4 or 8 bytes wide; the mask form
   vectorises everywhere and keeps every bit of the chosen value (nan payloads, signed zeros). */
#define AR_SELECT(T, U, NAME)                                                            \
    static inline T ar_select_##NAME(ar_bool c, T a, T b)                               \
    {                                                                                    \
        union { T v; U u; } x, y;                                                        \
        x.v = a;                                                                         \
        y.v = b;                                                                         \
        U m = (U)0 - (U)(c != 0);                                                        \
        x.u = (x.u & m) | (y.u & ~m);                                                    \
        return x.v;                                                                      \
    }
AR_SELECT(double, uint64_t, float64)
AR_SELECT(float, uint32_t, float32)
AR_SELECT(int64_t, uint64_t, int64)
AR_SELECT(uint64_t, uint64_t, uint64)
AR_SELECT(int32_t, uint32_t, int32)
AR_SELECT(uint32_t, uint32_t, uint32)

/* ---------------------------------------- float -> integer conversions */
/* One defined result for nan, inf and out-of-range values, the same as the llvm backend's and as
   NumPy's vectorised casts on x86-64 (a plain C cast is undefined there, and the compiler's vector
   and scalar code disagree): a 32- or 64-bit truncating conversion whose nan or out-of-range
   result is the minimum integer, then truncated; uint32 and uint64 convert x - 2**(n-1) above
   2**(n-1) and set the top bit. */
static inline int32_t ar_cvtt32(double v)
{
    return (v >= -2147483648.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN;
}
static inline int64_t ar_cvtt64(double v)
{
    return (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v : INT64_MIN;
}
static inline int8_t ar_f2int8(double v) { return (int8_t)(uint8_t)(uint32_t)ar_cvtt32(v); }
static inline int16_t ar_f2int16(double v) { return (int16_t)(uint16_t)(uint32_t)ar_cvtt32(v); }
static inline int32_t ar_f2int32(double v) { return ar_cvtt32(v); }
static inline int64_t ar_f2int64(double v) { return ar_cvtt64(v); }
static inline uint8_t ar_f2uint8(double v) { return (uint8_t)(uint32_t)ar_cvtt32(v); }
static inline uint16_t ar_f2uint16(double v) { return (uint16_t)(uint32_t)ar_cvtt32(v); }
static inline uint32_t ar_f2uint32(double v)
{
    return v >= 2147483648.0 ? ((uint32_t)ar_cvtt32(v - 2147483648.0) ^ 0x80000000u) : (uint32_t)ar_cvtt32(v);
}
static inline uint64_t ar_f2uint64(double v)
{
    return v >= 9223372036854775808.0 ? ((uint64_t)ar_cvtt64(v - 9223372036854775808.0) ^ 0x8000000000000000ull)
                                      : (uint64_t)ar_cvtt64(v);
}

/* -------------------------------------------------- special functions */
/* log|gamma(x)| with SciPy's edges: gammaln(-inf) == -inf, and inf once 1/x overflows */
static inline double ar_lgamma(double x)
{
    if (x == -INFINITY) return x;
    if (fabs(x) < 5.562684646268003e-309) return INFINITY;
    return lgamma(x);
}

/* digamma: reflection for x < 0, recurrence up to x >= 10, asymptotic series */
static inline double ar_digamma(double x)
{
    if (isnan(x) || x == -INFINITY) return NAN;
    if (x == INFINITY) return INFINITY;
    if (x <= 0 && x == floor(x)) return x == 0 ? copysign(INFINITY, -x) : NAN;
    double res = 0.0;
    if (x < 0) {
        res -= M_PI / tan(M_PI * x);
        x = 1.0 - x;
    }
    while (x < 10.0) {
        res -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    double t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132 +
               f * (691.0 / 32760 + f * (-1.0 / 12)))))));
    return res + log(x) - 0.5 / x + t;
}

/* trigamma: reflection for x < 0, recurrence up to x >= 10, asymptotic series */
static inline double ar_trigamma(double x)
{
    if (isnan(x)) return x;
    if (x == INFINITY) return 0.0;
    if (x <= 0 && x == floor(x)) return INFINITY;
    double res = 0.0, sign = 1.0;
    if (x < 0) {
        double s = M_PI / sin(M_PI * x);
        res = s * s;
        sign = -1.0;
        x = 1.0 - x;
    }
    double acc = 0.0;
    while (x < 10.0) {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    double t = 1.0 / x + f / 2.0 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 -
               f * (5.0 / 66 - f * (691.0 / 2730 - f * 7.0 / 6))))));
    return res + sign * (acc + t);
}

/* inverse error function: Giles' single-precision approximation, then Newton steps on erf/erfc */
static inline double ar_erfinv(double y)
{
    if (isnan(y) || y < -1 || y > 1) return NAN;
    if (y == 1) return INFINITY;
    if (y == -1) return -INFINITY;
    if (y == 0) return 0.0; /* SciPy's erfinv(-0.0) is +0.0 */
    double w = -log((1.0 - y) * (1.0 + y)), p;
    if (w < 5) {
        w -= 2.5;
        p = 2.81022636e-08;
        p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
        p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w;
        p = 0.246640727 + p * w; p = 1.50140941 + p * w;
    } else {
        w = sqrt(w) - 3;
        p = -0.000200214257;
        p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
        p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w;
        p = 1.00167406 + p * w; p = 2.83297682 + p * w;
    }
    double x = p * y, a = fabs(y);
    for (int i = 0; i < 3; i++) {
        double ax = fabs(x);
        /* residual in the better-conditioned form near |y| = 1 */
        double err = a > 0.5 ? (erfc(ax) - (1.0 - a)) * (x < 0 ? 1.0 : -1.0) : erf(x) - y;
        x -= err / (1.1283791670955126 * exp(-x * x));
    }
    return x;
}
