// Making large audio files in the page and importing them there, and measuring the browser's
// memory: for the specs and benchmarks that import long or many files.
import { readFileSync, readdirSync } from "node:fs";

/**
 * Runs in the page: defines window.makeWav({ name, rate, bits, float, seconds, tones }) -> File.
 * `tones[c]` lists the [hz, amp] sines summed on channel c; with whole-hertz tones one second
 * repeats seamlessly, so the file is built from a one-second block repeated `seconds` times
 * (Blob parts: a ten-minute file costs the page only its one-second block).
 */
export function installWavMaker() {
  window.makeWav = ({ name, rate, bits, float = false, seconds, tones }) => {
    const channels = tones.length;
    const bytesPerSample = bits / 8;
    const block = new Uint8Array(rate * channels * bytesPerSample);
    const view = new DataView(block.buffer);
    for (let i = 0; i < rate; i++) {
      for (let c = 0; c < channels; c++) {
        let x = 0;
        for (const [hz, amp] of tones[c]) x += amp * Math.sin((2 * Math.PI * hz * i) / rate);
        const at = (i * channels + c) * bytesPerSample;
        if (float) view.setFloat32(at, x, true);
        else if (bits === 8) view.setUint8(at, Math.max(0, Math.min(255, Math.round(x * 128) + 128)));
        else if (bits === 16) view.setInt16(at, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
        else {
          const v = Math.max(-8388608, Math.min(8388607, Math.round(x * 8388608)));
          view.setUint8(at, v & 0xff);
          view.setUint8(at + 1, (v >> 8) & 0xff);
          view.setUint8(at + 2, (v >> 16) & 0xff);
        }
      }
    }
    const dataBytes = block.length * seconds;
    const header = new DataView(new ArrayBuffer(44));
    const text = (at, s) => [...s].forEach((ch, k) => header.setUint8(at + k, ch.charCodeAt(0)));
    text(0, "RIFF");
    header.setUint32(4, 36 + dataBytes, true);
    text(8, "WAVE");
    text(12, "fmt ");
    header.setUint32(16, 16, true);
    header.setUint16(20, float ? 3 : 1, true);
    header.setUint16(22, channels, true);
    header.setUint32(24, rate, true);
    header.setUint32(28, rate * channels * bytesPerSample, true);
    header.setUint16(32, channels * bytesPerSample, true);
    header.setUint16(34, bits, true);
    text(36, "data");
    header.setUint32(40, dataBytes, true);
    return new File([header.buffer, ...Array(seconds).fill(block)], name, { type: "audio/wav" });
  };
}

/** Imports the files `make()` returns in the page; resolves to the results without overviews. */
export async function importInPage(page, make) {
  return page.evaluate(async (makeSource) => {
    const files = await (0, eval)(`(${makeSource})`)();
    const started = performance.now();
    const results = await window.wasmBindings.mixroom_import_files(files);
    const totalMs = performance.now() - started;
    return results.map((r) => {
      const summary = { ...r, totalMs };
      if (r.overview) {
        summary.overview = {
          framesPerPoint: r.overview.framesPerPoint,
          points: r.overview.points,
          max: Math.max(...r.overview.max.subarray(0, 20000)),
          min: Math.min(...r.overview.min.subarray(0, 20000)),
        };
      }
      return summary;
    });
  }, make.toString());
}

/** Resident memory of this test run's Chromium processes (the page, the GPU and so on), bytes. */
export function chromiumRss() {
  const parents = new Map();
  const names = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(pid), Number(fields[1]));
      names.set(Number(pid), stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
    } catch {
      // The process ended meanwhile.
    }
  }
  const ours = (pid) => {
    for (let p = pid; p > 1; p = parents.get(p) ?? 0) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  const byKind = {};
  for (const [pid, name] of names) {
    if (!/chrom/i.test(name) || !ours(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      // Chromium rewrites its children's command lines (spaces, not NULs, between arguments).
      const kind = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? "browser";
      byKind[kind] = (byKind[kind] || 0) + rss;
      total += rss;
    } catch {
      // Gone.
    }
  }
  return { total, byKind };
}
