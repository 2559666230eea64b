// The worklet's JavaScript shell (www/worklet-processor.js) run in Node, in a scope shaped like
// an AudioWorkletGlobalScope, around the built engine module: it keeps working where the
// browser lacks ES2024's ArrayBuffer.prototype.transfer.
import { test, expect } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import vm from "node:vm";

const root = new URL("../../../", import.meta.url).pathname;
const dist = resolve(process.env.MIXROOM_DIST || join(root, "dist"));

/** The processor class as `registerProcessor` receives it, in a fresh scope; `prelude` runs
 * first (to take features away). Messages it posts land in `posted`. */
async function processorScope(prelude) {
  const posted = [];
  const scope = {
    sampleRate: 48_000,
    AudioWorkletProcessor: class {
      constructor() {
        this.port = { postMessage: (message) => posted.push(message), onmessage: null };
      }
    },
    registerProcessor: (name, processor) => { scope.registered = processor; },
  };
  vm.createContext(scope);
  vm.runInContext(prelude, scope);
  vm.runInContext(await readFile(join(root, "www/worklet-processor.js"), "utf8"), scope, {
    filename: "worklet-processor.js",
  });
  const bytes = await readFile(join(dist, "mixroom_worklet.wasm"));
  const module = await vm.runInContext("WebAssembly.compile", scope)(bytes);
  const exports = vm.runInContext("(m) => new WebAssembly.Instance(m, {}).exports", scope)(module);
  const block = (bytes) => vm.runInContext(`new ArrayBuffer(${bytes})`, scope);
  const options = {
    module,
    mode: "message",
    paramBlock: block(exports.mixroom_param_block_bytes()),
    transportBlock: block(exports.mixroom_transport_block_bytes()),
    meterBlock: block(exports.mixroom_meter_block_bytes()),
    spectrumBlock: block(exports.mixroom_spectrum_block_bytes()),
    sources: [],
    hold: false,
  };
  const processor = new scope.registered({ processorOptions: options });
  return { scope, processor, posted };
}

// Node 20 has no `transfer` of its own: the first scope gets a stand-in that counts its calls.
const WITH = `globalThis.transfers = 0;
  Object.defineProperty(ArrayBuffer.prototype, "transfer", { value() { transfers += 1; return new ArrayBuffer(0); } });
  Object.defineProperty(ArrayBuffer.prototype, "detached", { get() { return false; } });`;
const WITHOUT = "delete ArrayBuffer.prototype.transfer; delete ArrayBuffer.prototype.detached;";

for (const [what, prelude, transfers] of [
  ["with ArrayBuffer.prototype.transfer", WITH, 3],
  ["without ArrayBuffer.prototype.transfer (before ES2024)", WITHOUT, undefined],
]) {
  test(`the engine loads track after track and keeps rendering, ${what}`, async () => {
    const { scope, processor, posted } = await processorScope(prelude);
    const output = [new Float32Array(128), new Float32Array(128)];
    for (let track = 0; track < 3; track++) {
      const samples = vm.runInContext("new Float32Array(48000).fill(0.25)", scope);
      processor.port.onmessage({ data: { type: "load", track, format: "f32", channels: [samples.buffer] } });
      expect(processor.process([], [output])).toBe(true);
    }
    const loaded = posted.filter((m) => m.type === "loaded");
    console.log(`worklet shell ${what}: ${loaded.length} loads, ${posted.filter((m) => m.type === "died").length} deaths`);
    expect(posted.filter((m) => m.type === "died")).toEqual([]);
    expect(loaded.map((m) => m.ok)).toEqual([true, true, true]);
    expect(processor.dead).toBe(false);
    expect(vm.runInContext("globalThis.transfers", scope)).toBe(transfers);
  });
}

test("message mode posts meters and tap samples in the buffers the page sends back", async () => {
  const { scope, processor, posted } = await processorScope("");
  const output = [new Float32Array(128), new Float32Array(128)];
  // Tap 0 on the master's output, so tap samples are posted too.
  processor.port.onmessage({ data: { type: "taps", selectors: [287 * 4 + 2, -1, -1, -1] } });
  const render = (quanta) => {
    for (let q = 0; q < quanta; q++) expect(processor.process([], [output])).toBe(true);
  };
  render(16);
  const first = posted.filter((m) => m.type === "meters" || m.type === "spectrum");
  expect(first.length).toBeGreaterThanOrEqual(2);
  // The page copies each message out and sends its buffer back, as AudioBridge does.
  for (const m of first) {
    processor.port.onmessage({ data: { type: "recycle", buffer: m.entries || m.samples } });
  }
  posted.length = 0;
  render(8);
  const again = posted.filter((m) => m.type === "meters" || m.type === "spectrum");
  const given = new Set(first.map((m) => m.entries || m.samples));
  const reused = again.filter((m) => given.has(m.entries || m.samples));
  console.log(`message mode: ${again.length} posts after the buffers came back, ${reused.length} in them`);
  expect(again.length).toBeGreaterThanOrEqual(2);
  expect(reused.length).toBe(again.length);
  const meters = again.find((m) => m.type === "meters");
  expect(meters.count).toBe(8);
  expect(posted.filter((m) => m.type === "died")).toEqual([]);
});
