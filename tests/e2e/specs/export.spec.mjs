// Export from the page: the dialog renders the demo mix to a 24-bit WAV normalized for streaming
// (−14 LUFS, −1 dBTP) and the stems to a zip (14 tracks and the drum bus); the 32-bit float
// export is the engine's output, finite and not silent, and equals mixroom-cli's native render
// of the same session within 1e-6. Every file is as long as the longest track.
//
// Files are parsed here by hand (RIFF chunks; the zip's end record and central directory).
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ISOLATED_URL, PLAIN_URL } from "../support/urls.mjs";
import { contextRate, openMixroom } from "../support/page.mjs";
import { writeFloatWav, readFloatWav } from "../support/wav.mjs";
import { sine, noise, maxDifference, peak } from "../support/signals.mjs";

const STEMS = ["Kick", "Snare", "Hi-hat", "Tom hi", "Tom lo", "OH L", "OH R", "Room", "Bass", "Guitar", "Keys", "Pad", "Lead", "Shaker"];
const CLI = resolve(process.env.MIXROOM_CLI || "../../target/release/mixroom");
const ARTIFACTS = resolve("artifacts");

/** Exports the page's mix as 32-bit float (no normalization) into `dir`, renders its session
 * with mixroom-cli at `rate`, and returns both files' samples: { browser, cli }. */
async function exportAndRenderNatively(page, dir, rate) {
  const sessionJson = await page.evaluate(() => window.wasmBindings.mixroom_session_json());
  const exported = await page.evaluate(async () => {
    const e = await window.wasmBindings.mixroom_export_mix("float32", "off");
    let binary = "";
    for (let i = 0; i < e.bytes.length; i += 0x8000) binary += String.fromCharCode(...e.bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  });
  writeFileSync(join(dir, "browser.wav"), Buffer.from(exported, "base64"));
  writeFileSync(join(dir, "session.json"), sessionJson);
  const native = join(dir, "native.wav");
  execFileSync(CLI, ["render", join(dir, "session.json"), "-o", native, "--sample-rate", String(rate)]);
  const browser = readFloatWav(join(dir, "browser.wav"));
  const cli = readFloatWav(native);
  return { browser, cli };
}

/** The fmt and data chunks of a WAV file: { tag, subFormat, channels, sampleRate, bits, data }. */
function parseWav(buffer) {
  expect(buffer.toString("ascii", 0, 4)).toBe("RIFF");
  expect(buffer.readUInt32LE(4)).toBe(buffer.length - 8);
  expect(buffer.toString("ascii", 8, 12)).toBe("WAVE");
  let format = null;
  for (let at = 12; at + 8 <= buffer.length; ) {
    const id = buffer.toString("ascii", at, at + 4);
    const size = buffer.readUInt32LE(at + 4);
    if (id === "fmt ") {
      const tag = buffer.readUInt16LE(at + 8);
      format = {
        tag,
        // WAVE_FORMAT_EXTENSIBLE: the first two bytes of the sub-format GUID are the format.
        subFormat: tag === 0xfffe ? buffer.readUInt16LE(at + 8 + 24) : tag,
        channels: buffer.readUInt16LE(at + 10),
        sampleRate: buffer.readUInt32LE(at + 12),
        bits: buffer.readUInt16LE(at + 22),
      };
    } else if (id === "data") {
      return { ...format, data: buffer.subarray(at + 8, at + 8 + size) };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

/** Largest absolute sample of a 24-bit PCM data chunk, full scale 1.0. */
function peak24(data) {
  let max = 0;
  for (let at = 0; at + 3 <= data.length; at += 3) max = Math.max(max, Math.abs(data.readIntLE(at, 3)));
  return max / 8_388_608;
}

/** The entries of a zip file from its central directory: [{ name, method, size, data }]. */
function parseZip(buffer) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  expect(end).toBeGreaterThanOrEqual(0);
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    expect(buffer.readUInt32LE(at)).toBe(0x02014b50);
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString("utf8", at + 46, at + 46 + nameLength);
    expect(buffer.readUInt32LE(local)).toBe(0x04034b50);
    const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    entries.push({ name, method, size, data: buffer.subarray(dataAt, dataAt + size) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The figures of the dialog's result line. */
function resultFigures(text) {
  const number = (s) => Number(s.replace("−", "-"));
  const m = text.match(/: ([\d.]+) s, (−?[\d.]+) LUFS, (−?[\d.]+) dBTP, rendered ([\d.]+)× faster/);
  if (!m) throw new Error(`unexpected result line: ${text}`);
  return { seconds: number(m[1]), lufs: number(m[2]), dbtp: number(m[3]), speed: number(m[4]) };
}

async function songFrames(page) {
  const tracks = await page.evaluate(() => window.wasmBindings.mixroom_tracks());
  return Math.max(...tracks.map((t) => t.frames));
}

test("the Export dialog saves the mix as a normalized 24-bit WAV and the stems as a zip", async ({ page }) => {
  test.setTimeout(420_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  const frames = await songFrames(page);
  const rate = await contextRate(page);

  const opener = page.getByRole("button", { name: "Export", exact: true });
  await opener.click();
  const dialog = page.getByRole("dialog", { name: "Export" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Format")).toBeFocused();
  await dialog.getByLabel("Format").selectOption("pcm24");
  await dialog.getByLabel("Normalize (mix)").selectOption("streaming");
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "export-dialog.png") });
  const axe = await new AxeBuilder({ page }).include(".export-dialog").analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The mix.
  const mixDownload = page.waitForEvent("download", { timeout: 180_000 });
  await dialog.getByRole("button", { name: "Export mix" }).click();
  const mix = await mixDownload;
  expect(mix.suggestedFilename()).toBe("mixroom-mix.wav");
  const wav = parseWav(readFileSync(await mix.path()));
  expect([wav.subFormat, wav.bits, wav.channels, wav.sampleRate]).toEqual([1, 24, 2, rate]);
  expect(wav.data.length / 6).toBe(frames);
  const result = dialog.getByTestId("export-result");
  await expect(result).toHaveText(/^Exported mixroom-mix\.wav/, { timeout: 30_000 });
  const figures = resultFigures(await result.textContent());
  const samplePeakDb = 20 * Math.log10(peak24(wav.data));
  console.log(`mix: ${await result.textContent()}; ${frames} frames at ${rate} Hz, ` +
    `sample peak ${samplePeakDb.toFixed(2)} dBFS`);
  expect(Math.abs(figures.lufs + 14)).toBeLessThanOrEqual(0.1);
  expect(figures.dbtp).toBeLessThanOrEqual(-1);
  expect(samplePeakDb).toBeLessThanOrEqual(-1);

  // Escape closes the dialog and focus returns to the button.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  // The stems: every track, then the drum bus, each as long as the song.
  await opener.click();
  const stemsDownload = page.waitForEvent("download", { timeout: 400_000 });
  await dialog.getByRole("button", { name: "Export stems" }).click();
  await expect(dialog.getByTestId("export-progress")).toHaveText(/Rendering stem \d+ of 15/, { timeout: 60_000 });
  const stems = await stemsDownload;
  expect(stems.suggestedFilename()).toBe("mixroom-stems.zip");
  const entries = parseZip(readFileSync(await stems.path()));
  const expected = [...STEMS.map((name, i) => `${String(i + 1).padStart(2, "0")} ${name}.wav`), "Drums (bus).wav"];
  expect(entries.map((e) => e.name)).toEqual(expected);
  const peaks = entries.map((entry) => {
    expect(entry.method).toBe(0);
    const stem = parseWav(entry.data);
    expect([stem.bits, stem.channels, stem.sampleRate, stem.data.length / 6]).toEqual([24, 2, rate, frames]);
    return peak24(stem.data);
  });
  peaks.forEach((p, i) => expect(p, `${entries[i].name} is not silent`).toBeGreaterThan(1e-3));
  await expect(result).toHaveText(/^Exported mixroom-stems\.zip: 15 stems/, { timeout: 30_000 });
  console.log(`stems: ${await result.textContent()}; peaks ` +
    entries.map((e, i) => `${e.name} ${(20 * Math.log10(peaks[i])).toFixed(1)} dB`).join(", "));
  expect(errors).toEqual([]);
});

test("the 32-bit float export is the engine's output: finite, not silent, the song's length", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  const frames = await songFrames(page);
  const r = await page.evaluate(async () => {
    const e = await window.wasmBindings.mixroom_export_mix("float32", "off");
    const view = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
    let at = 12;
    let fmt = null;
    while (at + 8 <= view.byteLength) {
      const id = String.fromCharCode(...e.bytes.subarray(at, at + 4));
      const size = view.getUint32(at + 4, true);
      if (id === "fmt ") fmt = { tag: view.getUint16(at + 8, true), sub: view.getUint16(at + 32, true), bits: view.getUint16(at + 22, true) };
      if (id === "data") {
        const samples = new Float32Array(e.bytes.buffer.slice(e.bytes.byteOffset + at + 8, e.bytes.byteOffset + at + 8 + size));
        let finite = true;
        let peak = 0;
        let energy = 0;
        for (const x of samples) {
          finite &&= Number.isFinite(x);
          peak = Math.max(peak, Math.abs(x));
          energy += x * x;
        }
        return { fmt, samples: samples.length, finite, peak, rms: Math.sqrt(energy / samples.length),
          frames: e.frames, sampleRate: e.sampleRate, lufs: e.integratedLufs, dbtp: e.truePeakDbtp,
          renderMs: e.renderMs, audioMs: e.audioMs };
      }
      at += 8 + size + (size % 2);
    }
    return null;
  });
  console.log(`float export: ${JSON.stringify({ ...r, fmt: undefined })}; rendered ` +
    `${(r.audioMs / 1000).toFixed(1)} s in ${r.renderMs.toFixed(0)} ms: ` +
    `${(r.audioMs / r.renderMs).toFixed(1)}x faster than real time`);
  expect([r.fmt.sub, r.fmt.bits]).toEqual([3, 32]);
  expect(r.frames).toBe(frames);
  expect(r.samples).toBe(2 * frames);
  expect(r.finite).toBe(true);
  expect(r.rms).toBeGreaterThan(1e-3);
  expect(r.peak).toBeLessThanOrEqual(1);
  expect(errors).toEqual([]);
});

test("the float export is the same in message mode as in shared memory", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const exportFloat = (p) =>
    p.evaluate(async () => {
      const e = await window.wasmBindings.mixroom_export_mix("float32", "off");
      let binary = "";
      for (let i = 0; i < e.bytes.length; i += 0x8000) binary += String.fromCharCode(...e.bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    });
  await openMixroom(page, ISOLATED_URL);
  const shared = Buffer.from(await exportFloat(page), "base64");
  const other = await browser.newContext();
  const plain = await other.newPage();
  await openMixroom(plain, PLAIN_URL);
  await expect(plain.getByTestId("audio-mode")).toHaveText("Message mode");
  const message = Buffer.from(await exportFloat(plain), "base64");
  console.log(`float export: shared memory ${shared.length} bytes, message mode ${message.length} bytes, identical: ${shared.equals(message)}`);
  expect(message.equals(shared)).toBe(true);
  await other.close();
});

test("mixroom-cli renders the exported session as the 32-bit float export, within 1e-6", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  // A mix of two imported files: the demo's tracks removed (its bus and returns stay).
  for (const name of STEMS) await page.getByRole("button", { name: `Remove ${name}`, exact: true }).click();
  const rate = await contextRate(page);
  const dir = mkdtempSync(join(tmpdir(), "mixroom-export-"));
  const files = {
    "tone.wav": [sine(220, 0.5, 2 * rate, rate), sine(330, 0.4, 2 * rate, rate)],
    "hiss.wav": [noise(11, 0.3, Math.round(1.5 * rate))],
  };
  for (const [name, channels] of Object.entries(files)) writeFloatWav(join(dir, name), rate, channels);
  await page.getByTestId("import-input").setInputFiles(Object.keys(files).map((f) => join(dir, f)));
  await expect
    .poll(async () => JSON.parse(await page.evaluate(() => window.wasmBindings.mixroom_session_json())).tracks.length,
      { timeout: 20_000 })
    .toBe(2);
  const { browser, cli } = await exportAndRenderNatively(page, dir, rate);
  expect(browser.sampleRate).toBe(rate);
  expect(browser.channels[0].length).toBe(2 * rate);
  const { max, where } = maxDifference(browser.channels, cli.channels);
  console.log(`export vs mixroom-cli: max difference ${max.toExponential(3)} at frame ${where} ` +
    `over ${2 * rate} frames x 2 channels; peak ${peak(cli.channels).toFixed(3)}`);
  expect(peak(cli.channels)).toBeGreaterThan(0.1);
  expect(max).toBeLessThanOrEqual(1e-6);
  expect(errors).toEqual([]);
});

test("mixroom-cli renders the demo mix (stems synthesized natively) as the browser's float export", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  // A few moves of a user: the kick down, the bass panned, reverb on the snare.
  const kick = page.getByRole("slider", { name: "Kick Fader" });
  await kick.focus();
  for (let i = 0; i < 8; i++) await kick.press("ArrowDown");
  const pan = page.getByRole("slider", { name: "Bass Pan" });
  await pan.focus();
  for (let i = 0; i < 4; i++) await pan.press("ArrowRight");
  const send = page.getByRole("slider", { name: "Snare Send 1" });
  await send.focus();
  await send.press("End");
  const rate = await contextRate(page);
  const dir = mkdtempSync(join(tmpdir(), "mixroom-demo-export-"));
  const { browser, cli } = await exportAndRenderNatively(page, dir, rate);
  expect(cli.channels[0].length).toBe(browser.channels[0].length);
  const { max, where } = maxDifference(browser.channels, cli.channels);
  console.log(`demo mix export vs mixroom-cli: max difference ${max.toExponential(3)} at frame ${where} ` +
    `over ${browser.channels[0].length} frames x 2 channels at ${rate} Hz; peak ${peak(cli.channels).toFixed(3)}`);
  expect(peak(cli.channels)).toBeGreaterThan(0.1);
  expect(max).toBeLessThanOrEqual(1e-6);
  expect(errors).toEqual([]);
});
