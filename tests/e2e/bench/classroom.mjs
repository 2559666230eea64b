// The classroom's speed, measured once per `cargo xtask bench` (not part of the test suite),
// page and native side by side on the same work:
// 1. "Check my mix" on each built-in lesson's raw start in the page (wall time, and the longest
//    gap of a 50 ms timer while it runs), beside `mixroom check` of the same lesson and mix;
// 2. thirty hand-ins of lesson 1 (made in the page, each with the lead fader a step higher)
//    checked by `mixroom check` in one run, and by the page's class view.
// Prints one JSON line per measurement.
import { chromium } from "@playwright/test";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ISOLATED_URL } from "../support/urls.mjs";
import { contextRate } from "../support/page.mjs";
import { lessonPayload as payload } from "../support/link.mjs";
import config from "../playwright.config.mjs";

const CLI = resolve(process.env.MIXROOM_CLI || "../../target/release/mixroom");
const HAND_INS = Number(process.env.MIXROOM_BENCH_HAND_INS || 30);

function timed(f) {
  const start = performance.now();
  const result = f();
  return [result, performance.now() - start];
}

const server = spawn("node", ["support/serve.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise((ready) => server.stdout.on("data", (d) => d.toString().includes("serving") && ready()));
const browser = await chromium.launch(config.use.launchOptions);
try {
  const ids = execFileSync(CLI, ["lesson", "list"], { encoding: "utf8" }).trim().split("\n").map((l) => l.split("\t")[0]);
  for (const id of ids) {
    const dir = mkdtempSync(join(tmpdir(), "mixroom-bench-lesson-"));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(ISOLATED_URL);
    await page.getByRole("button", { name: "Pause" }).waitFor({ timeout: 60_000 });
    const pageRate = await contextRate(page);
    // The stems at the page's rate, so that both check the same audio.
    execFileSync(CLI, ["lesson", "export", id, "-o", dir, "--sample-rate", String(pageRate)]);
    const json = readFileSync(join(dir, "lesson.json"), "utf8");
    await page.goto(`${ISOLATED_URL}#lesson=${payload(json)}`);
    const panel = page.getByTestId("lesson-panel");
    await panel.waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Pause" }).waitFor({ timeout: 60_000 });
    await page.evaluate(() => {
      window.longestGapMs = 0;
      let last = performance.now();
      setInterval(() => { const now = performance.now(); window.longestGapMs = Math.max(window.longestGapMs, now - last); last = now; }, 50);
    });
    const start = Date.now();
    await panel.getByRole("button", { name: "Check my mix" }).click();
    await panel.getByTestId("check-status").filter({ hasText: /goals met|Every goal/ }).waitFor({ timeout: 600_000 });
    const pageMs = Date.now() - start;
    const gap = await page.evaluate(() => window.longestGapMs);
    const [, nativeMs] = timed(() => {
      try { execFileSync(CLI, ["check", id, join(dir, "start.json")]); } catch (e) { if (e.status !== 3) throw e; }
    });
    console.log(JSON.stringify({ bench: "check-my-mix", lesson: id, pageMs, nativeMs: Math.round(nativeMs), ratio: +(pageMs / nativeMs).toFixed(2), longestGapMs: Math.round(gap) }));
    await context.close();
  }

  // Thirty hand-ins of lesson 1, made in the page.
  const dir = mkdtempSync(join(tmpdir(), "mixroom-bench-handins-"));
  execFileSync(CLI, ["lesson", "export", "static-balance", "-o", dir]);
  const json = readFileSync(join(dir, "lesson.json"), "utf8");
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${ISOLATED_URL}#lesson=${payload(json)}`);
  await page.getByRole("button", { name: "Pause" }).waitFor({ timeout: 60_000 });
  const panel = page.getByTestId("lesson-panel");
  const lead = page.getByRole("slider", { name: "Lead Fader" });
  const links = [];
  for (let i = 0; i < HAND_INS; i++) {
    await lead.focus();
    await page.keyboard.press("ArrowUp");
    await panel.getByRole("textbox", { name: "Your name" }).fill(`Student ${i + 1}`);
    await panel.getByRole("button", { name: "Hand in" }).click();
    const link = await panel.getByRole("textbox", { name: "Hand-in link" }).inputValue();
    const file = join(dir, `hand-in-${i + 1}.txt`);
    writeFileSync(file, link);
    links.push(link);
  }
  const files = links.map((_, i) => join(dir, `hand-in-${i + 1}.txt`));
  const [, nativeMs] = timed(() => {
    try { execFileSync(CLI, ["check", "static-balance", ...files]); } catch (e) { if (e.status !== 3) throw e; }
  });
  await page.getByRole("button", { name: "Lessons" }).click();
  const dialog = page.getByRole("dialog", { name: "Lessons" });
  await dialog.getByRole("textbox", { name: "Hand-in links, one a line" }).fill(links.join("\n"));
  const start = Date.now();
  await dialog.getByRole("button", { name: "Add hand-ins" }).click();
  await dialog.getByRole("status").filter({ hasText: `${HAND_INS} hand-ins: ${HAND_INS} checked` }).waitFor({ timeout: 3_600_000 });
  const pageMs = Date.now() - start;
  console.log(JSON.stringify({ bench: "class-table", handIns: HAND_INS, pageMs, nativeMs: Math.round(nativeMs), ratio: +(pageMs / nativeMs).toFixed(2) }));
} finally {
  await browser.close();
  server.kill();
}
