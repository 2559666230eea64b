// The worklet engine in the browser and mixroom-dsp natively (mixroom-cli) give the same samples
// for the same session; a parameter written to shared memory takes effect on the next quantum.
import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ISOLATED_URL, PLAIN_URL } from "../support/urls.mjs";
import { writeFloatWav, readFloatWav } from "../support/wav.mjs";
import { sine, noise, maxDifference, peak } from "../support/signals.mjs";

const RATE = 48_000;
const FRAMES = 52_000;
const CLI = resolve(process.env.MIXROOM_CLI || "../../target/release/mixroom");

// Four tracks: two mono, two stereo, of different lengths.
const SOURCES = [
  [sine(110, 0.8, 48_000, RATE)],
  [noise(7, 0.5, 36_000), noise(8, 0.5, 36_000)],
  [sine(660, 0.6, FRAMES, RATE)],
  [sine(220, 0.4, 20_000, RATE), noise(9, 0.3, 20_000)],
];

function session(params, master) {
  return {
    version: 1,
    tracks: ["Sub", "Noise", "Lead", "Pad"].map((name, i) => ({
      name,
      source: { file: `track${i}.wav` },
      params: params[i],
    })),
    master: { params: master },
  };
}

const SESSIONS = {
  "gains, pans, a mute and a solo": session(
    [
      { gain_db: -3, pan: -0.5, solo: 1 },
      { gain_db: -8, pan: 0.7, solo: 1 },
      { gain_db: 2, pan: 0.2, mute: 1, solo: 1 }, // soloed but muted: mute wins
      { gain_db: -1, pan: -1 }, // not soloed: silent
    ],
    { gain_db: -2 },
  ),
  "gains, pans and a mute": session(
    [
      { gain_db: -3, pan: -0.5 },
      { gain_db: -8, pan: 0.7 },
      { gain_db: 2, pan: 0.2, mute: 1 },
      { gain_db: -1, pan: -1 },
    ],
    { gain_db: -2 },
  ),
};

/** Renders natively with mixroom-cli, in 4096-frame blocks (the browser uses 128). */
function renderNative(sessionJson) {
  const dir = mkdtempSync(join(tmpdir(), "mixroom-parity-"));
  SOURCES.forEach((channels, i) => writeFloatWav(join(dir, `track${i}.wav`), RATE, channels));
  writeFileSync(join(dir, "session.json"), sessionJson);
  const out = join(dir, "native.wav");
  execFileSync(CLI, ["render", join(dir, "session.json"), "-o", out, "--frames", String(FRAMES),
    "--sample-rate", String(RATE), "--block", "4096"]);
  return readFloatWav(out).channels;
}

/**
 * Renders in the page's OfflineAudioContext through the worklet. Resolves to the channels, plus
 * `latency` (frames) and `taps` (the spectrum rings of the selected taps) as properties.
 */
async function renderInPage(page, sessionJson, sources, frames, changes = [], taps = []) {
  await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.mixroom_render_offline);
  const result = await page.evaluate(
    async ({ sessionJson, sources, frames, rate, changes, taps }) => {
      const arrays = sources.map((track) => track.map((c) => Float32Array.from(c)));
      const r = await window.wasmBindings.mixroom_render_offline(
        sessionJson, arrays, frames, rate, changes, taps);
      return {
        channels: [Array.from(r.left), Array.from(r.right)],
        taps: r.taps.map((t) => Array.from(t)),
        tapsEnd: r.tapsEnd,
        latency: r.latencyFrames,
      };
    },
    { sessionJson, sources: sources.map((t) => t.map((c) => Array.from(c))), frames, rate: RATE,
      changes, taps },
  );
  const channels = result.channels.map((c) => Float32Array.from(c));
  channels.latency = result.latency;
  channels.taps = result.taps.map((t) => Float32Array.from(t));
  channels.tapsEnd = result.tapsEnd;
  return channels;
}

for (const [url, mode] of [[ISOLATED_URL, "shared memory"], [PLAIN_URL, "message mode"]]) {
  test(`worklet render equals the native render (${mode})`, async ({ page }) => {
    await page.goto(url);
    for (const [name, s] of Object.entries(SESSIONS)) {
      const json = JSON.stringify(s);
      const browser = await renderInPage(page, json, SOURCES, FRAMES);
      const native = renderNative(json);
      const { max, where } = maxDifference(browser, native);
      console.log(`parity (${mode}, ${name}): max difference ${max.toExponential(3)} ` +
        `at frame ${where} over ${FRAMES} frames x 2 channels; peak ${peak(native).toFixed(3)}`);
      expect(peak(native)).toBeGreaterThan(0.1);
      expect(max).toBeLessThanOrEqual(1e-6);
    }
  });
}

test("a parameter written to shared memory takes effect in the next render quantum", async ({ page }) => {
  await page.goto(ISOLATED_URL);
  const quantum = 40;
  const at = 128 * quantum;
  const frames = at + 2_048;
  const tone = [[sine(1_000, 0.5, frames, RATE)]];
  const json = JSON.stringify({
    version: 1,
    tracks: [{ name: "Tone", source: { file: "tone.wav" }, params: {} }],
    master: { params: { limiter_bypass: 1 } },
  });
  const steady = await renderInPage(page, json, tone, frames);
  // Rendering is suspended at frame `at`, the fader is pulled to silence in the shared block,
  // and rendering resumes.
  const changed = await renderInPage(page, json, tone, frames,
    [{ frame: at, track: 0, key: "gain_db", value: -100 }]);

  // The mix reaches the output `latency` frames late (the master limiter looks ahead), so the
  // change made at frame `at` shows from output frame `at + latency`.
  const latency = changed.latency;
  expect(latency).toBe(steady.latency);
  const shown = at + latency;
  const before = maxDifference(steady.map((c) => c.subarray(0, shown)), changed.map((c) => c.subarray(0, shown)));
  expect(before.max).toBe(0);
  // From there the fader ramps linearly to silence over 20 ms (960 frames).
  const ramp = 960;
  let worst = 0;
  for (let i = 0; i < ramp; i++) {
    const expected = steady[0][shown + i] * (1 - (i + 1) / ramp);
    worst = Math.max(worst, Math.abs(changed[0][shown + i] - expected));
  }
  expect(worst).toBeLessThan(1e-6);
  expect(changed[0][shown]).not.toBe(steady[0][shown]);
  expect(peak(changed.map((c) => c.subarray(shown + ramp)))).toBe(0);
  console.log(`next-quantum: output identical up to frame ${shown} (change at frame ${at} = quantum ` +
    `${quantum}, plus ${latency} frames of latency); ramp matches 1-(n+1)/${ramp} within ` +
    `${worst.toExponential(2)}, exact silence after`);
});

for (const [url, mode] of [[ISOLATED_URL, "shared memory"], [PLAIN_URL, "message mode"]]) {
  test(`spectrum taps carry the tapped signals (${mode})`, async ({ page }) => {
    await page.goto(url);
    // Selectors: strip index * 4 + point (0 pre-EQ, 1 post-EQ, 2 output); master = 287
    // (mixroom_protocol::strips).
    const masterOutput = 287 * 4 + 2;
    const trackPreEq = 0 * 4 + 0;
    const json = JSON.stringify(SESSIONS["gains, pans and a mute"]);
    const result = await renderInPage(page, json, SOURCES, FRAMES, [], [masterOutput, trackPreEq]);
    // A ring of 8192 frames: a read keeps all but the slot the engine may be writing next.
    const ring = result.taps[0].length;
    expect(ring).toBe(8191);
    // The ring ends where the UI's copy ends: after the last whole quantum (shared memory) or
    // the last posted batch (message mode).
    expect(result.tapsEnd).toBeGreaterThan(FRAMES - 3 * 1024);
    let worstOutput = 0;
    let worstInput = 0;
    let compared = 0;
    for (let i = 0; i < ring; i++) {
      const n = result.tapsEnd - ring + i;
      if (n >= FRAMES) continue;
      compared++;
      worstOutput = Math.max(worstOutput, Math.abs(result.taps[0][i] - 0.5 * (result[0][n] + result[1][n])));
      // Track 1 is mono and unprocessed before its EQ, and taps run on the engine's clock (no
      // output latency): its pre-EQ tap is its source sample.
      const source = SOURCES[0][0][n] ?? 0;
      worstInput = Math.max(worstInput, Math.abs(result.taps[1][i] - source));
    }
    expect(compared).toBeGreaterThan(4096);
    console.log(`spectrum taps (${mode}, ${compared} frames ending at ${result.tapsEnd}): ` +
      `master output tap vs (L+R)/2 max diff ${worstOutput.toExponential(2)}, ` +
      `track 1 pre-EQ tap vs its source ${worstInput.toExponential(2)}`);
    expect(worstOutput).toBeLessThan(1e-6);
    expect(worstInput).toBeLessThan(1e-6);
    expect(peak([result.taps[0]])).toBeGreaterThan(0.1);
    expect(result.taps[2].every((x) => x === 0)).toBe(true);
  });
}
