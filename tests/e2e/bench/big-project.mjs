// A 1 GB project, measured once per `cargo xtask bench` (not part of the test suite): ten
// ten-minute stereo 16-bit WAV files at 44.1 kHz (106 MB each) imported, saved as a .mixroom
// (built from Blob parts) and opened in a fresh browser profile (read from slices, checked a
// chunk at a time). Prints one JSON line: bundle size, save and open times, the page's longest
// pause, its JS heap and Chromium's resident memory.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ISOLATED_URL } from "../support/urls.mjs";
import { chromiumRss, importInPage, installWavMaker } from "../support/import.mjs";
import config from "../playwright.config.mjs";

const FILES = Number(process.env.MIXROOM_BIG_FILES || 10);
const SECONDS = Number(process.env.MIXROOM_BIG_SECONDS || 600);

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

/** In the page: the longest gap of a 50 ms timer, and the long tasks, from now on. */
function watchPage() {
  window.longestGapMs = 0;
  window.longTasksMs = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.longTasksMs.push(entry.duration);
  }).observe({ type: "longtask" });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    window.longestGapMs = Math.max(window.longestGapMs, now - last);
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
  await sender.evaluate(installWavMaker);
  const importStarted = Date.now();
  const imported = await importInPage(sender, new Function(`return () => Array.from({ length: ${FILES} }, (_, i) =>
    window.makeWav({ name: "long-" + (i + 1) + ".wav", rate: 44100, bits: 16, seconds: ${SECONDS},
      tones: [[[110 + 40 * i, 0.4]], [[113 + 40 * i, 0.4]]] }))`)());
  const failed = imported.filter((r) => r.error);
  if (failed.length > 0) throw new Error(`imports failed: ${JSON.stringify(failed)}`);
  const importMs = Date.now() - importStarted;
  await opened(sender, 14 + FILES);

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
    openLongTasks: opening.longTasks,
    openLongestTaskMs: opening.longestTaskMs,
    openJsHeapMb: opening.heapMb,
    chromiumRssBeforeMb: rssBefore / 1e6,
    chromiumRssAfterMb: chromiumRss().total / 1e6,
  };
  console.log(JSON.stringify(result));
  rmSync(path);
} finally {
  await browser.close();
  server.kill();
}
