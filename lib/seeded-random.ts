/**
 * Deterministic pseudo-random numbers in [0, 1) (xorshift32): benchmarks write the same file on
 * every run, fuzz and chaos tests replay the same sequence from a seed they print.
 */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}
