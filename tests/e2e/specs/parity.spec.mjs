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

/** Renders in the page's OfflineAudioContext through the worklet. */
async function renderInPage(page, sessionJson, sources, frames, changes = []) {
  await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.mixroom_render_offline);
  const channels = await page.evaluate(
    async ({ sessionJson, sources, frames, rate, changes }) => {
      const arrays = sources.map((track) => track.map((c) => Float32Array.from(c)));
      const [left, right] = await window.wasmBindings.mixroom_render_offline(
        sessionJson, arrays, frames, rate, changes);
      return [Array.from(left), Array.from(right)];
    },
    { sessionJson, sources: sources.map((t) => t.map((c) => Array.from(c))), frames, rate: RATE, changes },
  );
  return channels.map((c) => Float32Array.from(c));
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
  });
  const steady = await renderInPage(page, json, tone, frames);
  // Rendering is suspended at frame `at`, the fader is pulled to silence in the shared block,
  // and rendering resumes.
  const changed = await renderInPage(page, json, tone, frames,
    [{ frame: at, track: 0, key: "gain_db", value: -100 }]);

  const before = maxDifference(steady.map((c) => c.subarray(0, at)), changed.map((c) => c.subarray(0, at)));
  expect(before.max).toBe(0);
  // From frame `at` on, the fader ramps linearly to silence over 20 ms (960 frames).
  const ramp = 960;
  let worst = 0;
  for (let i = 0; i < ramp; i++) {
    const expected = steady[0][at + i] * (1 - (i + 1) / ramp);
    worst = Math.max(worst, Math.abs(changed[0][at + i] - expected));
  }
  expect(worst).toBeLessThan(1e-6);
  expect(changed[0][at]).not.toBe(steady[0][at]);
  expect(peak(changed.map((c) => c.subarray(at + ramp)))).toBe(0);
  console.log(`next-quantum: frames 0..${at} identical, change applied from frame ${at} ` +
    `(quantum ${quantum}); ramp matches 1-(n+1)/${ramp} within ${worst.toExponential(2)}, exact silence after`);
});
