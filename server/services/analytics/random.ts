// Seeded randomness for the bootstrap: the same data and seed give the same confidence intervals, so a page
// reload does not make the intervals jitter.

/** mulberry32: a small, fast 32-bit generator; uniform floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SMALL = 256;
const logFactorialTable: Float64Array = (() => {
  const table = new Float64Array(SMALL);
  for (let k = 2; k < SMALL; k++) table[k] = table[k - 1] + Math.log(k);
  return table;
})();

/** ln(k!) — exact sums below 256, Stirling's series above (error < 1e-13 there). */
export function logFactorial(k: number): number {
  if (k < SMALL) return logFactorialTable[k];
  const inv = 1 / k;
  const inv2 = inv * inv;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/**
 * One draw from Binomial(n, p). Inversion when n·p is small, otherwise Hörmann's BTRS transformed rejection
 * ("The generation of binomial random variates", 1993), which takes O(1) draws however large n is — the
 * bootstrap resamples up to millions of comparisons per round through a handful of these.
 */
export function binomial(n: number, p: number, random: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, random);
  if (n * p < 10) return binomialInversion(n, p, random);

  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = random() - 0.5;
    let v = random();
    const us = 0.5 - Math.abs(u);
    if (us <= 0) continue;
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

function binomialInversion(n: number, p: number, random: () => number): number {
  const q = 1 - p;
  const s = p / q;
  let f = Math.pow(q, n);
  let u = random();
  let k = 0;
  while (u > f && k < n) {
    u -= f;
    f *= (s * (n - k)) / (k + 1);
    k++;
  }
  return k;
}

/** Resampling n rows with replacement from cells with these counts, as counts per cell (exact multinomial). */
export function multinomialResample(counts: readonly number[], random: () => number): number[] {
  let remaining = counts.reduce((s, c) => s + c, 0);
  let mass = remaining;
  const out = new Array<number>(counts.length).fill(0);
  for (let i = 0; i < counts.length && remaining > 0; i++) {
    if (counts[i] === 0) continue;
    const draw = mass <= counts[i] ? remaining : binomial(remaining, counts[i] / mass, random);
    out[i] = draw;
    remaining -= draw;
    mass -= counts[i];
  }
  return out;
}
