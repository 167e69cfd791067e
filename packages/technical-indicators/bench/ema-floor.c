/*
 * The floor of a streaming EMA update, in C (what no JavaScript engine can beat): a million updates
 * of one EMA whose value lives in memory between updates, as the state of any stream object does,
 * with TA-Lib's arithmetic `(x - prev) * k + prev` and with trading-signals' `x * k + prev * (1 - k)`;
 * and, for comparison, TA-Lib's recurrence with the value kept in a register (possible only when the
 * whole series is at hand, as in the batch `ema`). Not part of `pnpm bench` (it needs a C compiler):
 *
 *   gcc -O2 bench/ema-floor.c -o /tmp/ema-floor && /tmp/ema-floor
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  double prev, before, k;
} Ema;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The empty asm with a "memory" clobber makes the compiler store and reload the state at every
 * update, as it must when an update is a call on an object. */
__attribute__((noinline)) static void talib_memory(Ema *e, const double *x, long n) {
  for (long i = 0; i < n; i++) {
    double p = e->prev;
    e->before = p; /* kept for replace, as our stream does */
    e->prev = (x[i] - p) * e->k + p;
    __asm__ volatile("" ::: "memory");
  }
}

__attribute__((noinline)) static void peer_memory(Ema *e, const double *x, long n) {
  for (long i = 0; i < n; i++) {
    double p = e->prev;
    e->before = p;
    e->prev = x[i] * e->k + p * (1 - e->k);
    __asm__ volatile("" ::: "memory");
  }
}

__attribute__((noinline)) static double talib_register(const double *x, long n, double k) {
  double p = x[0];
  for (long i = 0; i < n; i++) p = (x[i] - p) * k + p;
  return p;
}

int main(void) {
  const long n = 1000000;
  double *x = malloc(n * sizeof *x);
  double p = 100;
  srand(42);
  for (long i = 0; i < n; i++) x[i] = p *= 1 + ((double)rand() / RAND_MAX - 0.5) * 0.01;
  Ema e = {x[0], 0, 2.0 / 31};
  double sink = 0;
  printf("ns per update: TA-Lib's step through memory | trading-signals' step through memory | TA-Lib's step in a register\n");
  for (int run = 0; run < 5; run++) {
    double t0 = now();
    talib_memory(&e, x, n);
    double t1 = now();
    peer_memory(&e, x, n);
    double t2 = now();
    sink += talib_register(x, n, 2.0 / 31);
    double t3 = now();
    printf("%.2f | %.2f | %.2f\n", (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9, (t3 - t2) / n * 1e9);
  }
  free(x);
  return sink + e.prev == 0; /* uses the results */
}
