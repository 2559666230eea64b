// The browser benchmark, run by `cargo xtask bench` (not part of the test suite).
//
// Renders the same N-track mix (4-band EQ, compressor, pan and fader per track, noise input)
// in headless Chromium's OfflineAudioContext: through Mixroom's worklet engine, and through
// Chromium's own nodes (4 BiquadFilterNode, DynamicsCompressorNode, StereoPannerNode, GainNode
// per track). Only the rendering is timed (startRendering to the finished buffer). Each track
// count first renders a 2 s warm-up with both (so V8 has optimized the engine's wasm), then
// RUNS timed renders of each, alternating, and reports the medians. Prints one JSON line per
// track count and writes artifacts/bench.json.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { ISOLATED_URL } from "../support/urls.mjs";
import config from "../playwright.config.mjs";

const TRACKS = (process.env.MIXROOM_BENCH_TRACKS || "8,16,32,64,128,256").split(",").map(Number);
const SECONDS = Number(process.env.MIXROOM_BENCH_SECONDS || 10);
const RUNS = Number(process.env.MIXROOM_BENCH_RUNS || 3);

const server = spawn("node", ["support/serve.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((resolve) => server.stdout.once("data", resolve));
const browser = await chromium.launch(config.use.launchOptions);
try {
  const page = await browser.newPage();
  await page.goto(ISOLATED_URL);
  await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.mixroom_bench_render);
  // Memory per track-minute: what the live engine's tracks take of its memory (the demo's
  // stems, once all are loaded), over their total length.
  await page.waitForFunction(() => window.wasmBindings.mixroom_tracks().length >= 14);
  const memory = await page.evaluate(async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const tracks = window.wasmBindings.mixroom_tracks();
    const { sourceBytes, wasmMemoryBytes } = window.wasmBindings.mixroom_engine_memory();
    const trackMinutes = tracks.reduce((sum, t) => sum + t.seconds / 60, 0);
    return { memoryTracks: tracks.length, trackMinutes, sourceBytes, wasmMemoryBytes,
      bytesPerTrackMinute: sourceBytes / trackMinutes };
  });
  console.log(JSON.stringify(memory));
  const results = [];
  for (const tracks of TRACKS) {
    const result = await page.evaluate(async ({ tracks, seconds, runs }) => {
      const rate = 48000;
      const noise = (seed, frames) => {
        const out = new Float32Array(frames);
        let s = seed >>> 0 || 1;
        for (let i = 0; i < frames; i++) {
          s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
          out[i] = s / 0xffffffff - 0.5;
        }
        return out;
      };
      const json = window.wasmBindings.mixroom_benchmark_session(tracks);
      const session = JSON.parse(json);
      const bands = [["lowshelf", 100, 0.71], ["peaking", 400, 1], ["peaking", 2500, 1],
        ["highshelf", 8000, 0.71]];

      const ours = async (sources, frames) =>
        window.wasmBindings.mixroom_bench_render(json, sources, frames, rate);

      const nativeNodes = async (sources, frames) => {
        const context = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: rate });
        session.tracks.forEach((track, t) => {
          const p = track.params;
          const buffer = context.createBuffer(1, frames, rate);
          buffer.copyToChannel(sources[t][0], 0);
          const source = new AudioBufferSourceNode(context, { buffer });
          let node = source;
          bands.forEach(([type, frequency, Q], b) => {
            const biquad = new BiquadFilterNode(context,
              { type, frequency, Q, gain: p[`eq${b + 1}_gain_db`] || 0 });
            node.connect(biquad);
            node = biquad;
          });
          const compressor = new DynamicsCompressorNode(context,
            { threshold: p.comp_threshold_db, ratio: 4, knee: 6, attack: 0.01, release: 0.1 });
          const panner = new StereoPannerNode(context, { pan: p.pan || 0 });
          const gain = new GainNode(context, { gain: 10 ** ((p.gain_db || 0) / 20) });
          node.connect(compressor);
          compressor.connect(panner);
          panner.connect(gain);
          gain.connect(context.destination);
          source.start();
        });
        const started = performance.now();
        await context.startRendering();
        return performance.now() - started;
      };

      const warmFrames = 2 * rate;
      const warm = Array.from({ length: tracks }, (_, t) => [noise(t + 1, warmFrames)]);
      await ours(warm, warmFrames);
      await nativeNodes(warm, warmFrames);
      const frames = seconds * rate;
      const sources = Array.from({ length: tracks }, (_, t) => [noise(t + 1, frames)]);
      const oursRuns = [];
      const nodeRuns = [];
      for (let run = 0; run < runs; run++) {
        oursRuns.push(await ours(sources, frames));
        nodeRuns.push(await nativeNodes(sources, frames));
      }
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      return { tracks, seconds, runs, oursMs: median(oursRuns), nativeNodesMs: median(nodeRuns),
        oursRuns, nodeRuns };
    }, { tracks, seconds: SECONDS, runs: RUNS });
    const quanta = (SECONDS * 48000) / 128;
    result.oursPerQuantumMs = result.oursMs / quanta;
    result.speedupVsNativeNodes = result.nativeNodesMs / result.oursMs;
    console.log(JSON.stringify(result));
    results.push(result);
  }
  mkdirSync("artifacts", { recursive: true });
  writeFileSync("artifacts/bench.json", JSON.stringify({ memory, results }, null, 2));
} finally {
  await browser.close();
  server.kill();
}
