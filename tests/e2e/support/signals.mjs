// Deterministic test signals.

/** A sine of `freqHz` and amplitude `amp`, `frames` long at `rate`. */
export function sine(freqHz, amp, frames, rate) {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = amp * Math.sin((2 * Math.PI * freqHz * i) / rate);
  return out;
}

/** White noise in -amp..amp from a 32-bit xorshift seeded with `seed`. */
export function noise(seed, amp, frames) {
  const out = new Float32Array(frames);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < frames; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = amp * ((s / 0xffffffff) * 2 - 1);
  }
  return out;
}

/** Largest absolute difference between two lists of channels (and the frame where it is). */
export function maxDifference(a, b) {
  let max = 0;
  let where = -1;
  for (let c = 0; c < a.length; c++) {
    if (a[c].length !== b[c].length) throw new Error(`channel ${c}: ${a[c].length} vs ${b[c].length} frames`);
    for (let i = 0; i < a[c].length; i++) {
      const d = Math.abs(a[c][i] - b[c][i]);
      if (d > max) { max = d; where = i; }
    }
  }
  return { max, where };
}

/** Largest absolute sample. */
export function peak(channels) {
  let max = 0;
  for (const ch of channels) for (const x of ch) max = Math.max(max, Math.abs(x));
  return max;
}
