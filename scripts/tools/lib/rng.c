/*
 * rng.c — deterministic randomness of the generators (SplitMix64)
 *
 * Each generator draws from numbered streams of its seed, so adding draws
 * to one stream never changes another: tk_rng_stream(seed, n).
 */
#include "scripts/tools/lib/toolkit.h"

uint64_t tk_rng_next(tk_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

tk_rng tk_rng_stream(uint64_t seed, uint64_t stream)
{
    tk_rng r = { seed ^ (0xD1B54A32D192ED03ULL * (stream + 1)) };
    tk_rng_next(&r);
    return r;
}

unsigned tk_rng_below(tk_rng *r, unsigned n)
{
    return (unsigned)(tk_rng_next(r) % n);
}

int tk_rng_range(tk_rng *r, int lo, int hi)
{
    return lo + (int)tk_rng_below(r, (unsigned)(hi - lo + 1));
}

int tk_rng_percent(tk_rng *r, int pct)
{
    return (int)tk_rng_below(r, 100) < pct;
}

int tk_days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

tk_date tk_random_date(tk_rng *r, int y0, int y1)
{
    tk_date d;
    d.y = tk_rng_range(r, y0, y1);
    d.m = tk_rng_range(r, 1, 12);
    d.d = tk_rng_range(r, 1, tk_days_in_month(d.y, d.m));
    return d;
}
