// A 1 GB project, measured once per `cargo xtask bench` (not part of the test suite): ten
// ten-minute stereo 16-bit WAV files at 44.1 kHz (106 MB each) imported, saved as a .mixroom
// (built from Blob parts) and opened in a fresh browser profile (read from slices, checked a
// chunk at a time). Prints one JSON line: bundle size, save and open times, the page's longest
// pause, its JS heap and Chromium's resident memory.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ISOLATED_URL } from "../support/urls.mjs";
import { chromiumRss } from "../support/import.mjs";
import config from "../playwright.config.mjs";

const FILES = Number(process.env.MIXROOM_BIG_FILES || 10);
const SECONDS = Number(process.env.MIXROOM_BIG_SECONDS || 600);

/** Writes a `seconds` long stereo 16-bit 44.1 kHz WAV of a `hz` tone (whole hertz: one second
 * repeats seamlessly) to `path`. */
function writeLongWav(path, seconds, hz) {
  const rate = 44_100;
  const second = Buffer.alloc(rate * 4);
  for (let i = 0; i < rate; i++) {
    const x = Math.round(12_000 * Math.sin((2 * Math.PI * hz * i) / rate));
    second.writeInt16LE(x, i * 4);
    second.writeInt16LE(x, i * 4 + 2);
  }
  const header = Buffer.alloc(44);
  const data = second.length * seconds;
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data, 40);
  const fd = openSync(path, "w");
  writeSync(fd, header);
  for (let s = 0; s < seconds; s++) writeSync(fd, second);
  closeSync(fd);
}

/** Waits until the page's mix is open with `tracks` tracks, every one with its audio. */
async function opened(page, tracks, timeout = 600_000) {
  const state = () => page.evaluate(() => window.wasmBindings?.mixroom_project_state?.());
  await page.waitForFunction(
    (tracks) => {
      const state = window.wasmBindings?.mixroom_project_state?.();
      return state && !state.opening && state.tracks === tracks && state.waiting.length === 0;
    },
    tracks,
    { timeout, polling: 200 },
  ).catch(async (e) => {
    throw new Error(`the mix did not open with ${tracks} tracks: ${JSON.stringify(await state())} (${e.message})`);
  });
}

/** In the page: the longest gap of a 50 ms timer, and the long tasks, from now on; and the
 * longest gap while a project's audio was being checked (before decoding began). */
function watchPage() {
  window.longestGapMs = 0;
  window.checkGapMs = 0;
  window.longTasksMs = [];
  let checking = false;
  new MutationObserver(() => {
    checking = [...document.querySelectorAll('[data-testid="notice"]')]
      .some((n) => n.textContent.includes("checking its audio"));
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.longTasksMs.push(entry.duration);
  }).observe({ type: "longtask" });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    window.longestGapMs = Math.max(window.longestGapMs, now - last);
    if (checking) window.checkGapMs = Math.max(window.checkGapMs, now - last);
    last = now;
  }, 50);
}

const server = spawn("node", ["support/serve.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((resolve) => server.stdout.once("data", resolve));
const browser = await chromium.launch(config.use.launchOptions);
try {
  const sender = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await sender.goto(ISOLATED_URL);
  await opened(sender, 14, 60_000);
  // Real files on disk, picked with the Import button as a user would.
  const files = Array.from({ length: FILES }, (_, i) => {
    const path = join(tmpdir(), `mixroom-long-${i + 1}.wav`);
    writeLongWav(path, SECONDS, 110 + 40 * i);
    return path;
  });
  const importStarted = Date.now();
  const chooser = sender.waitForEvent("filechooser");
  await sender.getByRole("button", { name: "Import audio files" }).click();
  await (await chooser).setFiles(files);
  await opened(sender, 14 + FILES);
  const importMs = Date.now() - importStarted;

  await sender.evaluate(watchPage);
  const saveStarted = Date.now();
  const download = sender.waitForEvent("download", { timeout: 600_000 });
  await sender.getByRole("button", { name: "Save" }).click();
  const path = join(tmpdir(), "mixroom-big-project.mixroom");
  await (await download).saveAs(path);
  const saveMs = Date.now() - saveStarted;
  const saving = await sender.evaluate(() => ({ gapMs: window.longestGapMs, longTasks: window.longTasksMs.length }));
  const bytes = statSync(path).size;
  await sender.context().close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(ISOLATED_URL);
  await opened(page, 14, 60_000);
  const rssBefore = chromiumRss().total;
  await page.evaluate(watchPage);
  const openStarted = Date.now();
  const picker = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await (await picker).setFiles(path);
  await page.getByTestId("notice").filter({ hasText: "Opened the project" }).waitFor({ timeout: 600_000 });
  const checkedMs = Date.now() - openStarted;
  await opened(page, 14 + FILES);
  const openMs = Date.now() - openStarted;
  const opening = await page.evaluate(() => ({
    gapMs: window.longestGapMs,
    checkGapMs: window.checkGapMs,
    longTasks: window.longTasksMs.length,
    longestTaskMs: Math.max(0, ...window.longTasksMs),
    heapMb: performance.memory.usedJSHeapSize / 1e6,
  }));
  const result = {
    files: FILES,
    bundleMb: bytes / 1e6,
    importMs,
    saveMs,
    saveLongestGapMs: saving.gapMs,
    openCheckedMs: checkedMs,
    openPlayingMs: openMs,
    openLongestGapMs: opening.gapMs,
    openCheckLongestGapMs: opening.checkGapMs,
    openLongTasks: opening.longTasks,
    openLongestTaskMs: opening.longestTaskMs,
    openJsHeapMb: opening.heapMb,
    chromiumRssBeforeMb: rssBefore / 1e6,
    chromiumRssAfterMb: chromiumRss().total / 1e6,
  };
  console.log(JSON.stringify(result));
  for (const file of [path, ...files]) rmSync(file);
} finally {
  await browser.close();
  server.kill();
}
