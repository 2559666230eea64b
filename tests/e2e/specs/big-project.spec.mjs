// A project of large files: saved as a .mixroom built from parts and opened from slices of the
// file (checked a chunk at a time, with progress), the page answering all along; the browser
// running out of memory is a message, and the mix stays. (`cargo xtask bench` measures the same
// with a 1 GB project.)
import { test, expect } from "@playwright/test";
import { statSync } from "node:fs";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom } from "../support/page.mjs";
import { importInPage, installWavMaker } from "../support/import.mjs";
import { maxDifference, mixOpened, render } from "../support/mix.mjs";

/** Records, in the page, the longest gap of a 50 ms timer and every notice text seen. */
function watchPage() {
  window.longestGapMs = 0;
  let last = performance.now();
  window.heartbeat = setInterval(() => {
    const now = performance.now();
    window.longestGapMs = Math.max(window.longestGapMs, now - last);
    last = now;
  }, 50);
  window.noticesSeen = new Set();
  new MutationObserver(() => {
    for (const n of document.querySelectorAll('[data-testid="notice"]')) window.noticesSeen.add(n.textContent);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}

test("a project of large files is saved from parts and opened from slices, with progress", async ({ page, browser }) => {
  test.setTimeout(5 * 60_000);
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await page.evaluate(installWavMaker);
  const imported = await importInPage(page, () =>
    [0, 1, 2].map((i) => window.makeWav({
      name: `take-${i + 1}.wav`, rate: 44_100, bits: 16, seconds: 120,
      tones: [[[220 + 110 * i, 0.3]], [[221 + 110 * i, 0.3]]],
    })));
  expect(imported.map((r) => r.ok ?? !r.error)).toEqual([true, true, true]);
  await mixOpened(page, 17);
  const frames = 48_000;
  const before = await render(page, frames);

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Save" }).click();
  const path = await (await download).path();
  const bytes = statSync(path).size;
  console.log(`big project: ${(bytes / 1e6).toFixed(1)} MB bundle`);
  expect(bytes).toBeGreaterThan(60e6);

  const other = await browser.newContext();
  const recipient = await other.newPage();
  await openMixroom(recipient, ISOLATED_URL);
  await mixOpened(recipient, 14);
  await recipient.evaluate(watchPage);
  const opening = Date.now();
  const picker = recipient.waitForEvent("filechooser");
  await recipient.getByRole("button", { name: "Open", exact: true }).click();
  await (await picker).setFiles(path);
  await expect(recipient.getByTestId("notice").filter({ hasText: "Opened the project" })).toBeVisible({ timeout: 120_000 });
  await mixOpened(recipient, 17);
  const openMs = Date.now() - opening;
  const { longestGapMs, seen } = await recipient.evaluate(() => ({
    longestGapMs: window.longestGapMs,
    seen: [...window.noticesSeen],
  }));
  const progress = seen.filter((t) => t.includes("checking its audio"));
  console.log(`big project: opened in ${openMs} ms; ${progress.length} progress lines (last: ${progress.at(-1)}); ` +
    `longest gap of a 50 ms timer ${longestGapMs.toFixed(0)} ms`);
  expect(progress.length).toBeGreaterThan(0);
  expect(progress.at(-1)).toMatch(/checking its audio, \d+%/);
  expect(maxDifference(before, await render(recipient, frames))).toBe(0);

  // The browser out of memory while reading: a message, and the mix stays.
  await recipient.evaluate(() => {
    Blob.prototype.arrayBuffer = () => Promise.reject(new RangeError("Array buffer allocation failed"));
  });
  const again = recipient.waitForEvent("filechooser");
  await recipient.getByRole("button", { name: "Open", exact: true }).click();
  await (await again).setFiles(path);
  const notice = recipient.getByTestId("notice").filter({ hasText: "could not be opened" });
  await expect(notice).toContainText("ran out of memory");
  await expect(notice).toContainText("Your mix is unchanged");
  console.log(`out of memory: ${await notice.textContent()}`);
  await mixOpened(recipient, 17);
  await other.close();
});
