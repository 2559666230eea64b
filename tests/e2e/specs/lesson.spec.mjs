// The classroom in the page: a lesson link opens the lesson beside its starting mix; its raw
// start fails with a hint that says which way to move; lesson 1 done by keyboard passes "Check
// my mix"; the page's measured values equal `mixroom check`'s on the same mix; hand-in links
// (and a damaged one, and one for another lesson) land as rows of the class table, which
// downloads as CSV, and any two rows play against each other and the reference; the
// loudness-matched A/B plays every version at the student's mix's loudness (the quietest
// one's; measured again by mixroom loudness, within 0.5 LU), with the reference's spectrum
// drawn over the master's; a reference recording at a URL is fetched for Compare and for the
// check's tonal balance; a lesson on the teacher's own file, and its reference recording as a
// file, travel as projects (.mixroom) to a fresh profile, and the student's project lands in
// the class table and is graded by `mixroom check` as the page graded it.
import { test, expect } from "@playwright/test";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom } from "../support/page.mjs";
import { lessonPayload as payload } from "../support/link.mjs";
import { importFile, mixOpened } from "../support/mix.mjs";
import { sineWav, writeFloatWav } from "../support/wav.mjs";

const CLI = resolve(process.env.MIXROOM_CLI || "../../target/release/mixroom");
const ARTIFACTS = resolve("artifacts");

/** The reference balance of lesson 1 (crates/demo/src/lessons/balance.rs), fader dB. */
/** The rate every check renders at, in the page and in mixroom check (mixroom_lesson::CHECK_RATE_HZ). */
const CHECK_RATE_HZ = 48_000;

const BALANCE = {
  Kick: 0, Snare: -1, "Hi-hat": -12, "Tom hi": -3, "Tom lo": -3, "OH L": -6, "OH R": -6,
  Room: -9, Bass: -6, Guitar: -5, Keys: -5, Pad: -9, Lead: 4, Shaker: -10,
};

/** Lesson `id` as mixroom-cli exports it (its stems at `rate` Hz when given): { json, dir }. */
function exportLesson(id, rate) {
  const dir = mkdtempSync(join(tmpdir(), "mixroom-lesson-"));
  execFileSync(CLI, ["lesson", "export", id, "-o", dir, ...(rate ? ["--sample-rate", String(rate)] : [])]);
  return { json: readFileSync(join(dir, "lesson.json"), "utf8"), dir };
}

/** Clicks "Check my mix" and waits for the verdict line; returns it. */
async function checkMix(page) {
  const panel = page.getByTestId("lesson-panel");
  const status = panel.getByTestId("check-status");
  const before = await status.textContent();
  await panel.getByRole("button", { name: "Check my mix" }).click();
  // The verdict of an earlier check gives way to this one's progress (at once, but a page
  // that is quick may show the same verdict again, so this does not insist).
  if (before) await expect(status).not.toHaveText(before, { timeout: 5_000 }).catch(() => {});
  await expect(status).toHaveText(/goals met|Every goal is met/, { timeout: 120_000 });
  return status.textContent();
}

/** The goals as the panel shows them: { id: { met, measured, value, hint } }. */
async function verdicts(page) {
  return page.getByTestId("lesson-panel").locator("li.goal").evaluateAll((items) =>
    Object.fromEntries(items.map((li) => [li.dataset.goal, {
      met: li.classList.contains("passed"),
      measured: li.querySelector(".goal-measured")?.textContent,
      value: Number(li.querySelector(".goal-measured")?.dataset.value),
      hint: li.querySelector(".goal-hint")?.textContent,
    }])));
}

/** Moves `track`'s fader to `db` with the arrow keys (1 dB a press). */
async function faderTo(page, track, db) {
  const fader = page.getByRole("slider", { name: `${track} Fader` });
  await fader.focus();
  for (let i = 0; i < 40; i += 1) {
    const now = Number(await fader.getAttribute("aria-valuenow"));
    if (Math.abs(now - db) < 0.05) return;
    await page.keyboard.press(now < db ? "ArrowUp" : "ArrowDown");
  }
  throw new Error(`${track} fader did not reach ${db} dB`);
}

/** Opens the lesson project at `path` in a fresh browser profile (a student's, which has none
 * of the teacher's files), as a user does with Open, and waits for the lesson `title` and its
 * `tracks` tracks: { other (the profile), student (its page), panel }. */
async function openLessonProject(browser, path, title, tracks) {
  const other = await browser.newContext();
  // Every write to this browser's storage, in order: { store, key, names: the value's text }.
  await other.addInitScript(() => {
    window.mixroomWrites = [];
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      const names = value instanceof Blob ? "" : JSON.stringify(value ?? null);
      window.mixroomWrites.push({ store: this.name, key: String(key), names });
      return put.apply(this, arguments);
    };
  });
  const student = await other.newPage();
  await openMixroom(student, ISOLATED_URL);
  await mixOpened(student, 14);
  const picker = student.waitForEvent("filechooser");
  await student.getByRole("button", { name: "Open", exact: true }).click();
  await (await picker).setFiles(path);
  const panel = student.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: title })).toBeVisible({ timeout: 20_000 });
  await mixOpened(student, tracks);
  return { other, student, panel };
}

/** Plays a web server with CORS at https://audio.example for `page`: `files` maps a path to
 * its bytes; anything else is a 404. */
async function serveAudio(page, files) {
  await page.context().route("https://audio.example/**", (route) => {
    const cors = { "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin" };
    const body = files[new URL(route.request().url()).pathname];
    if (body) route.fulfill({ status: 200, headers: { ...cors, "Content-Type": "audio/wav" }, body });
    else route.fulfill({ status: 404, headers: cors, body: "not found" });
  });
}

test("a lesson link opens the lesson; its start fails with a hint; lesson 1 by keyboard passes, and the page measures what mixroom check measures", async ({ page }) => {
  test.setTimeout(420_000);
  const { json } = exportLesson("static-balance");
  const lesson = JSON.parse(json);
  const errors = await openMixroom(page, `${ISOLATED_URL}#lesson=${payload(json)}`);
  const panel = page.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: lesson.title })).toBeVisible();
  await expect(panel.getByRole("list", { name: "Goals" }).getByRole("listitem")).toHaveCount(lesson.goals.length);
  // Faders only: a pan is locked, a fader is not.
  await expect(page.getByRole("slider", { name: "Bass Pan" })).toHaveAttribute("aria-disabled", "true");
  await expect(page.getByRole("slider", { name: "Bass Fader" })).not.toHaveAttribute("aria-disabled", "true");
  const pan = page.getByRole("slider", { name: "Bass Pan" });
  const panBefore = await pan.getAttribute("aria-valuenow");
  await pan.focus();
  await page.keyboard.press("ArrowRight");
  await expect(pan).toHaveAttribute("aria-valuenow", panBefore);

  const started = Date.now();
  const raw = await checkMix(page);
  console.log(`raw start: ${raw} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const before = await verdicts(page);
  console.log(JSON.stringify(before, null, 1));
  expect(before["lead-on-top"].met).toBe(false);
  expect(before["lead-on-top"].hint).toMatch(/Lead.*(up|raise|push)/i);
  await page.screenshot({ path: join(ARTIFACTS, "lesson-start-checked.png") });

  for (const [track, db] of Object.entries(BALANCE)) await faderTo(page, track, db);
  const done = await checkMix(page);
  const after = await verdicts(page);
  console.log(`after the balance: ${done}`, JSON.stringify(after, null, 1));
  expect(done).toMatch(/Every goal is met/);
  await page.screenshot({ path: join(ARTIFACTS, "lesson-passed.png") });

  // Hand in, and check the hand-in with mixroom check: the same figures.
  await panel.getByRole("textbox", { name: "Your name" }).fill("Ada");
  await panel.getByRole("button", { name: "Hand in" }).click();
  const link = await panel.getByRole("textbox", { name: "Hand-in link" }).inputValue();
  expect(link).toContain("#handin=");
  // Both at the one rate of every check (48 kHz), whatever the device's.
  const out = execFileSync(CLI, ["check", "static-balance", link], { encoding: "utf8" });
  const cli = JSON.parse(out.trim().split("\n")[0]);
  expect(cli.passed).toBe(true);
  for (const goal of cli.goals) {
    const shown = after[goal.id];
    console.log(`${goal.id}: page ${shown.value}, cli ${goal.measured}`);
    expect(Math.abs(shown.value - goal.measured)).toBeLessThanOrEqual(0.05);
  }
  writeFileSync(join(ARTIFACTS, "handin-link.txt"), link);
  expect(errors).toEqual([]);
});

test("hand-in links land as rows of the class table; a damaged one and one for another lesson are flagged; the table downloads as CSV", async ({ page }) => {
  test.setTimeout(300_000);
  const { json } = exportLesson("static-balance");
  const lesson = JSON.parse(json);
  const errors = await openMixroom(page, `${ISOLATED_URL}#lesson=${payload(json)}`);
  const panel = page.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: lesson.title })).toBeVisible();
  // Two students hand in from this tab: one as the lesson starts, one with the balance done.
  const handIn = async (name) => {
    await panel.getByRole("textbox", { name: "Your name" }).fill(name);
    await panel.getByRole("button", { name: "Hand in" }).click();
    return panel.getByRole("textbox", { name: "Hand-in link" }).inputValue();
  };
  const grace = await handIn("=Grace");
  for (const [track, db] of Object.entries(BALANCE)) await faderTo(page, track, db);
  const ada = await handIn("Ada");
  const other = `${ISOLATED_URL}#handin=${payload(JSON.stringify({
    version: 1, student: "Linus", lesson_id: "stereo-field", lesson_sha256: "0".repeat(64), mix: lesson.start,
  }))}`;
  const damaged = ada.slice(0, ada.length - 40) + "AAAA" + ada.slice(ada.length - 36);
  // A hand-in written by hand that changes what the lesson locks: an EQ boost in a faders-only
  // lesson (the page would not let the student turn it).
  const adaHandIn = JSON.parse(inflateSync(Buffer.from(ada.split("#handin=")[1], "base64url").subarray(1)).toString());
  const eve = { ...adaHandIn, student: "Eve", mix: structuredClone(adaHandIn.mix) };
  eve.mix.tracks[0].params = { ...eve.mix.tracks[0].params, eq1_gain_db: 6 };
  const forged = `${ISOLATED_URL}#handin=${payload(JSON.stringify(eve))}`;

  await page.getByRole("button", { name: "Lessons" }).click();
  const dialog = page.getByRole("dialog", { name: "Lessons" });
  await dialog.getByRole("textbox", { name: "Hand-in links, one a line" }).fill([grace, ada, damaged, other, forged].join("\n"));
  await dialog.getByRole("button", { name: "Add hand-ins" }).click();
  const table = dialog.getByRole("table", { name: "Class table" });
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(5);
  await expect(dialog.getByRole("status").filter({ hasText: "hand-ins" })).toHaveText(`5 hand-ins: 3 checked, 2 flagged (lesson “${lesson.title}”).`, { timeout: 240_000 });
  const texts = await rows.allInnerTexts();
  console.log(texts.join("\n"));
  expect(texts[0]).toMatch(/Grace/);
  // Ada's balance is the lesson's reference, fader for fader: flagged for the teacher.
  expect(texts[1]).toMatch(/Ada\s+line 2\s+5 of 5/);
  expect(texts[1]).toMatch(/same as the reference/);
  expect(texts[2]).toMatch(/damaged|cut off|not a Mixroom/);
  expect(texts[3]).toMatch(/another lesson \(“stereo-field”\)/);
  // Eve's sounds like Ada's but turned a locked control: it does not pass.
  expect(texts[4]).toMatch(/Eve\s+line 5\s+\d of 5 — does not pass/);
  expect(texts[4]).toMatch(/Not allowed by the lesson:\s+locked control changed: “Kick” EQ 1 gain, [^→]+ → \+6\.0 dB/);
  await page.screenshot({ path: join(ARTIFACTS, "class-table.png") });

  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download CSV" }).click();
  const csv = readFileSync(await (await download).path(), "utf8");
  console.log(csv);
  const lines = csv.trim().split("\r\n");
  expect(csv.startsWith("\uFEFF")).toBe(true);
  expect(lines).toHaveLength(6);
  expect(lines[0]).toMatch(/^student,from,passed,goals met,goals,lead-on-top \(measured\),lead-on-top \(met\)/);
  expect(lines[0]).toMatch(/,not allowed,note$/);
  expect(lines[1]).toMatch(/^'=Grace,line 1,no,[0-4],5,/);
  expect(lines[2]).toMatch(/^Ada,line 2,yes,5,5,.*same as the reference/);
  expect(lines[5]).toMatch(/^Eve,line 5,no,\d,5,.*locked control changed/);

  // Two rows compared against each other and the lesson's reference, at one loudness.
  await dialog.getByRole("checkbox", { name: "Compare =Grace's mix" }).check();
  await dialog.getByRole("checkbox", { name: "Compare Ada's mix" }).check();
  const compare = dialog.getByRole("region", { name: "Compare hand-ins" });
  await compare.getByRole("button", { name: "Compare chosen" }).click();
  await expect(compare.getByRole("status")).toHaveText(/Ready/, { timeout: 120_000 });
  const listen = compare.getByRole("group", { name: "Listen to" });
  await expect(listen.getByRole("button")).toHaveText([/^=Grace's mix \([+−]\d+\.\d dB\)$/, /^Ada's mix /, /^Reference mix /]);
  const versions = [];
  for (const index of [0, 1, 2]) {
    versions.push(await page.evaluate(async (i) => {
      const o = await window.wasmBindings.mixroom_compare_output(i);
      return { name: o.name, gainDb: o.gainDb, loudnessLufs: o.loudnessLufs };
    }, index));
  }
  console.log(`class comparison: ${JSON.stringify(versions)}`);
  // Grace's mix (the start) and Ada's (the balance) differ in loudness; each is brought to the
  // quietest, none turned up.
  expect(Math.abs(versions[0].loudnessLufs - versions[1].loudnessLufs)).toBeGreaterThan(0.5);
  const matched = versions.map((v) => v.loudnessLufs + v.gainDb);
  for (const v of versions) expect(v.gainDb).toBeLessThanOrEqual(0);
  for (const m of matched) expect(Math.abs(m - matched[0])).toBeLessThanOrEqual(0.01);
  await compare.getByRole("button", { name: "Play A/B" }).click();
  await listen.getByRole("button", { name: /^Ada's mix/ }).click();
  await expect(listen.getByRole("button", { name: /^Ada's mix/ })).toHaveAttribute("aria-pressed", "true");
  await page.screenshot({ path: join(ARTIFACTS, "class-compare.png") });
  // Closing the dialog stops the comparison, and the mix plays on.
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();
  await page.getByRole("button", { name: "Lessons" }).click();
  await expect(compare.getByRole("button", { name: "Play A/B" })).toBeVisible();

  // A row opens that student's mix, with the lesson beside it.
  await dialog.getByRole("button", { name: "Open Ada's mix" }).click();
  await expect(page.getByRole("slider", { name: "Lead Fader" })).toHaveAttribute("aria-valuenow", "4");
  await expect(panel.getByRole("heading", { name: lesson.title })).toBeVisible();
  expect(errors).toEqual([]);
});

test("a check whose audio would not fit in the page's memory is refused with a sentence; the class table checks the next hand-in", async ({ page }) => {
  test.setTimeout(240_000);
  const { json } = exportLesson("static-balance");
  const lesson = JSON.parse(json);
  const errors = await openMixroom(page, `${ISOLATED_URL}#lesson=${payload(json)}`);
  const panel = page.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: lesson.title })).toBeVisible();
  await panel.getByRole("textbox", { name: "Your name" }).fill("Ada");
  await panel.getByRole("button", { name: "Hand in" }).click();
  const ada = await panel.getByRole("textbox", { name: "Hand-in link" }).inputValue();
  // The demo's 14 stems take some 100 MiB at 48 kHz: over a budget of 16 MiB, as a class's
  // six-hour file would be over the real one. The student's own check says so too.
  await page.evaluate(() => window.wasmBindings.mixroom_set_check_budget(16 * 1024 * 1024));
  await panel.getByRole("button", { name: "Check my mix" }).click();
  await expect(panel.getByText(/This mix's audio needs \d+ MiB of memory to be checked, more than the 16 MiB a check may take in this page/)).toBeVisible({ timeout: 60_000 });

  await page.getByRole("button", { name: "Lessons" }).click();
  const dialog = page.getByRole("dialog", { name: "Lessons" });
  const links = dialog.getByRole("textbox", { name: "Hand-in links, one a line" });
  await links.fill(ada);
  await dialog.getByRole("button", { name: "Add hand-ins" }).click();
  const rows = dialog.getByRole("table", { name: "Class table" }).locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText(/Not checked: This mix's audio needs \d+ MiB of memory/, { timeout: 60_000 });
  // The table goes on: with the budget back, the next hand-in is checked.
  await page.evaluate(() => window.wasmBindings.mixroom_set_check_budget(3 * 1024 ** 3));
  await links.fill(ada);
  await dialog.getByRole("button", { name: "Add hand-ins" }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText(/^Ada\s*line 1\s*\d of 5/, { timeout: 180_000 });
  await expect(rows.nth(0)).toContainText(/Not checked: This mix's audio needs/);
  expect(errors).toEqual([]);
});

test("the A/B comparison plays my mix, the start and the reference at one loudness, switched at the same playhead", async ({ page }) => {
  test.setTimeout(300_000);
  const { json } = exportLesson("static-balance");
  await serveAudio(page, { "/finished/teacher.wav": sineWav(4, 440, { invertRight: false }) });
  const errors = await openMixroom(page, `${ISOLATED_URL}#lesson=${payload(json)}`);
  const panel = page.getByTestId("lesson-panel");
  // My mix: the lead pushed far up, the rest as it starts (louder than the start).
  await faderTo(page, "Lead", 10);
  const compare = panel.getByRole("region", { name: "Compare" });
  await compare.getByRole("button", { name: "Prepare A/B" }).click();
  await expect(compare.getByRole("status")).toHaveText(/Ready/, { timeout: 120_000 });
  const listen = compare.getByRole("group", { name: "Listen to" });
  await expect(listen.getByRole("button")).toHaveCount(3);
  await expect(listen.getByRole("button", { name: /^My mix \([+−]\d+\.\d dB\)$/ })).toHaveAttribute("aria-pressed", "true");
  await compare.getByRole("button", { name: "Play A/B" }).click();
  await expect(page.getByRole("button", { name: "Play", exact: true })).toBeVisible();
  const reference = listen.getByRole("button", { name: /^Reference mix \([+−]\d+\.\d dB\)$/ });
  await reference.click();
  await expect(reference).toHaveAttribute("aria-pressed", "true");
  // The reference's spectrum is drawn over the master's.
  const spectrum = page.getByRole("img", { name: /^Spectrum of the master output/ });
  await expect(spectrum).toHaveAttribute("data-reference", "Reference mix");
  await expect(spectrum).toHaveAttribute("aria-label", /“Reference mix” drawn over it/);
  await page.screenshot({ path: join(ARTIFACTS, "lesson-compare.png") });
  await spectrum.screenshot({ path: join(ARTIFACTS, "lesson-compare-spectrum.png") });
  // A recording by URL joins the versions, matched too, and its spectrum is drawn instead.
  await compare.getByRole("textbox", { name: "Recording URL" }).fill("https://audio.example/finished/teacher.wav");
  await compare.getByRole("button", { name: "Add from URL" }).click();
  await expect(compare.getByRole("status")).toHaveText("Added the recording “teacher.wav”.", { timeout: 30_000 });
  await expect(listen.getByRole("button")).toHaveCount(4);
  await expect(spectrum).toHaveAttribute("data-reference", "teacher.wav");
  await compare.getByRole("textbox", { name: "Recording URL" }).fill("https://audio.example/finished/gone.wav");
  await compare.getByRole("button", { name: "Add from URL" }).click();
  await expect(compare.getByRole("status")).toHaveText(/^The recording was not added: .*404/, { timeout: 30_000 });
  await expect(listen.getByRole("button")).toHaveCount(4);
  await compare.getByRole("button", { name: "Stop A/B" }).click();
  // The mix plays on.
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();

  const dir = mkdtempSync(join(tmpdir(), "mixroom-compare-"));
  const measured = [];
  for (const index of [0, 1, 2, 3]) {
    const out = await page.evaluate(async (i) => {
      const o = await window.wasmBindings.mixroom_compare_output(i);
      const base64 = (samples) => {
        const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
        let binary = "";
        for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
        return btoa(binary);
      };
      return { name: o.name, gainDb: o.gainDb, loudnessLufs: o.loudnessLufs, rate: o.rate, left: base64(o.left), right: base64(o.right) };
    }, index);
    const samples = (text) => { const b = Buffer.from(text, "base64"); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
    const path = join(dir, `version-${index}.wav`);
    writeFloatWav(path, out.rate, [samples(out.left), samples(out.right)]);
    const report = JSON.parse(execFileSync(CLI, ["loudness", path], { encoding: "utf8" }).trim());
    console.log(`${out.name}: page ${out.loudnessLufs.toFixed(2)} LUFS, gain ${out.gainDb.toFixed(2)} dB; as played: ${JSON.stringify(report)}`);
    measured.push({ name: out.name, gainDb: out.gainDb, played: report.integrated_lufs, peak: report.true_peak_dbtp });
  }
  // The versions differ in loudness; nothing is turned up (so nothing clips).
  expect(Math.abs(measured[0].gainDb - measured[1].gainDb)).toBeGreaterThan(0.5);
  for (const m of measured) {
    expect(m.gainDb).toBeLessThanOrEqual(0);
    expect(m.peak).toBeLessThanOrEqual(0);
    expect(Math.abs(m.played - measured[0].played)).toBeLessThanOrEqual(0.5);
  }
  // The 404 of the recording that is not there is the browser's own console line.
  expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

test("teach mode: a lesson made from the mix, a goal taken from the mix's own value, opened as a student and passed", async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  await faderTo(page, "Lead", 3);
  await page.getByRole("button", { name: "Teach" }).click();
  const dialog = page.getByRole("dialog", { name: "Teach: a lesson from this mix" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Lead on top <b>now</b>");
  await dialog.getByRole("textbox", { name: "Introduction" }).fill("Bring the lead up.\nListen first.");
  await dialog.getByRole("textbox", { name: "Steps, one a line" }).fill("Play.\nRaise the Lead fader.");
  await dialog.getByRole("checkbox", { name: "Faders" }).check();
  await dialog.getByRole("combobox", { name: "Kind of goal" }).selectOption({ label: "A strip against the rest of the mix" });
  await dialog.getByRole("combobox", { name: "Strip", exact: true }).selectOption({ label: "Track Lead" });
  await dialog.getByRole("button", { name: "Use my mix's value" }).click();
  await expect(dialog.getByRole("status")).toHaveText(/The mix measures −?\d+\.\d dB/, { timeout: 120_000 });
  const low = Number((await dialog.getByRole("textbox", { name: "Lowest that passes" }).inputValue()));
  const high = Number((await dialog.getByRole("textbox", { name: "Highest that passes" }).inputValue()));
  expect(high - low).toBeCloseTo(4, 1);
  await dialog.getByRole("button", { name: "Add goal" }).click();
  await expect(dialog.getByRole("list", { name: "Lesson goals" }).getByRole("listitem")).toHaveCount(1);
  await dialog.getByRole("button", { name: "Use the mix as it is now as the reference" }).click();
  await dialog.getByRole("button", { name: "Share lesson" }).click();
  const link = await dialog.getByRole("textbox", { name: "Lesson link" }).inputValue();
  expect(link).toContain("#lesson=");
  await page.screenshot({ path: join(ARTIFACTS, "teach.png") });

  // The link opens in a fresh tab as the class would open it; the lesson text stays text.
  const student = await page.context().newPage();
  await openMixroom(student, link);
  const panel = student.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: "Lead on top <b>now</b>" })).toBeVisible();
  await expect(panel.locator("b")).toHaveCount(0);
  await expect(student.getByRole("slider", { name: "Lead Pan" })).toHaveAttribute("aria-disabled", "true");
  await expect(student.getByRole("slider", { name: "Lead Fader" })).toHaveAttribute("aria-valuenow", "3");
  expect(await checkMix(student)).toMatch(/Every goal is met/);
  await faderTo(student, "Lead", -12);
  expect(await checkMix(student)).toMatch(/0 of 1 goals met/);
  const hint = (await verdicts(student))["relative-level-1"].hint;
  console.log(`teach-made goal after pulling the lead down: ${hint}`);
  expect(hint).toMatch(/Lead/);
  expect(errors).toEqual([]);
});

test("a lesson from a newer Mixroom opens its starting mix and says so; unknown goal kinds and missing tracks are named; lesson text stays text", async ({ page }) => {
  test.setTimeout(240_000);
  const { json } = exportLesson("static-balance");
  const lesson = JSON.parse(json);

  const newer = JSON.stringify({ ...lesson, version: 99, goals: [] });
  const errors = await openMixroom(page, `${ISOLATED_URL}#lesson=${payload(newer)}`);
  await expect(page.getByTestId("notice").filter({ hasText: "newer Mixroom" })).toBeVisible();
  await expect(page.getByTestId("notice").filter({ hasText: "starting mix on its own" })).toBeVisible();
  await expect(page.getByTestId("lesson-panel")).toHaveCount(0);
  await expect(page.getByRole("slider", { name: "Lead Fader" })).toHaveCount(1);

  const future = JSON.stringify({
    ...lesson,
    id: "future",
    title: "<img src=x onerror=alert(1)>",
    steps: ["<script>window.ran = 1</script>"],
    goals: [
      lesson.goals[0],
      { id: "hologram", text: "The hologram floats.", kind: "hologram_depth", depth_m: 3 },
    ],
  });
  await page.goto(`${ISOLATED_URL}#lesson=${payload(future)}`);
  const panel = page.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: "<img src=x onerror=alert(1)>" })).toBeVisible();
  await expect(panel.getByText("<script>window.ran = 1</script>")).toBeVisible();
  await expect(page.getByTestId("notice").filter({ hasText: "hologram_depth" })).toBeVisible();
  await checkMix(page);
  const shown = await verdicts(page);
  expect(shown.hologram.met).toBe(false);
  expect(shown.hologram.measured).toBe("not measured");
  console.log(`unknown kind: ${shown.hologram.hint}`);
  expect(shown["lead-on-top"].measured).toMatch(/dB$/);

  const missing = JSON.stringify({
    ...lesson,
    id: "missing",
    goals: [{ id: "theremin", text: "The theremin sings.", kind: "relative_level", strip: { track: "Theremin" }, min_db: -6 }],
  });
  await page.goto(`${ISOLATED_URL}#lesson=${payload(missing)}`);
  await expect(panel.getByRole("heading", { name: lesson.title })).toBeVisible();
  await panel.getByRole("button", { name: "Check my mix" }).click();
  await expect(panel.getByTestId("check-status")).toHaveText(/goal 'theremin' names track “Theremin”, which this mix does not have/);
  expect(await page.evaluate(() => window.ran)).toBeUndefined();
  expect(errors).toEqual([]);
});

test("a lesson whose reference is a recording at a URL: Check my mix fetches it once the student agrees to its host and measures the tonal balance against it; Compare plays it", async ({ page }) => {
  test.setTimeout(300_000);
  // The teacher's recording: the lesson's start, rendered by mixroom-cli at the checks' rate.
  const errors = await openMixroom(page, ISOLATED_URL);
  const rate = CHECK_RATE_HZ;
  const { json, dir } = exportLesson("static-balance", rate);
  const lesson = JSON.parse(json);
  const wav = join(dir, "start-render.wav");
  execFileSync(CLI, ["render", join(dir, "start.json"), "-o", wav, "--sample-rate", String(rate)]);
  await serveAudio(page, {
    "/teacher/start.wav": readFileSync(wav),
    "/teacher/tone.wav": sineWav(4, 440, { rate, invertRight: false }),
    "/teacher/long.wav": sineWav(64, 440, { rate, invertRight: false }),
  });
  // Each lesson its own title, so that the page is seen to have opened it.
  const withRecording = (url) => JSON.stringify({
    ...lesson,
    id: "tone-of-the-start",
    title: `Sound like ${url.split("/").pop()}`,
    reference: { recording: { url } },
    goals: [{ id: "tone", text: "The mix sounds like the teacher's recording.", kind: "tonal_balance", curve: "reference", tolerance_db: 1 }],
  });
  const fetched = [];
  page.on("request", (request) => {
    if (request.url().startsWith("https://audio.example/")) fetched.push(request.url());
  });
  // Each lesson opens as a mix of its own, whose answer about the host is its own.
  const agree = async () => {
    await page.getByRole("button", { name: "Load audio from audio.example" }).click();
    await expect(page.getByRole("button", { name: "Load audio from audio.example" })).toHaveCount(0);
  };
  await page.goto(`${ISOLATED_URL}#lesson=${payload(withRecording("https://audio.example/teacher/start.wav"))}`);
  const panel = page.getByTestId("lesson-panel");
  await expect(panel.getByRole("heading", { name: "Sound like start.wav" })).toBeVisible();
  await mixOpened(page, 14);
  // Nothing is fetched before the student agrees to the recording's host.
  const asked = await checkMix(page);
  console.log(`before agreeing: ${asked}`);
  expect(asked).toMatch(/is on audio\.example, which you have not agreed to load from: press Load, then try again/);
  await expect(page.getByTestId("notice").filter({ hasText: "Nothing is fetched from there until you agree" })).toBeVisible();
  expect(fetched).toEqual([]);
  await agree();
  // The start sounds like its own render: within a fraction of a dB in every band.
  expect(await checkMix(page)).toMatch(/Every goal is met \(1 of 1\)/);
  expect(fetched).toEqual(["https://audio.example/teacher/start.wav"]);
  const same = await verdicts(page);
  console.log(`start against its own render: ${same.tone.measured}`);
  expect(same.tone.value).toBeLessThan(0.2);

  // Against a sine, the spectrum is far off, and the hint says where.
  await page.goto(`${ISOLATED_URL}#lesson=${payload(withRecording("https://audio.example/teacher/tone.wav"))}`);
  await expect(panel.getByRole("heading", { name: "Sound like tone.wav" })).toBeVisible();
  // Checked at once: a check asked for while the mix loads waits for it (and asks for the
  // recording's host, this mix's own answer).
  expect(await checkMix(page)).toMatch(/press Load, then try again/);
  await agree();
  expect(await checkMix(page)).toMatch(/0 of 1 goals met/);
  const far = await verdicts(page);
  console.log(`start against a sine: ${far.tone.measured}; ${far.tone.hint}`);
  expect(far.tone.value).toBeGreaterThan(6);

  // Compare fetches it too (once a page) and draws its spectrum over the master's.
  const compare = panel.getByRole("region", { name: "Compare" });
  await compare.getByRole("button", { name: "Prepare A/B" }).click();
  await expect(compare.getByRole("status")).toHaveText(/Ready/, { timeout: 120_000 });
  const listen = compare.getByRole("group", { name: "Listen to" });
  await expect(listen.getByRole("button")).toHaveText([/^My mix /, /^Start /, /^Recording “tone.wav” /]);
  await expect(page.getByRole("img", { name: /^Spectrum of the master output/ })).toHaveAttribute("data-reference", "Recording “tone.wav”");

  // The recording counts in the memory a check may take: a check that fits without the 64 s
  // recording (2 × 64 s × 48 kHz of f32: 22.0 MiB more than the 4 s one) is refused with it.
  const status = panel.getByTestId("check-status");
  const refusedNeed = async () => {
    await panel.getByRole("button", { name: "Check my mix" }).click();
    await expect(status).toHaveText(/This mix's audio needs \d+ MiB of memory to be checked/, { timeout: 60_000 });
    return Number((await status.textContent()).match(/needs (\d+) MiB/)[1]);
  };
  await page.evaluate(() => window.wasmBindings.mixroom_set_check_budget(16 * 1024 * 1024));
  const withShort = await refusedNeed();
  await page.evaluate((mib) => window.wasmBindings.mixroom_set_check_budget(mib * 1024 * 1024), withShort + 4);
  expect(await checkMix(page)).toMatch(/0 of 1 goals met/);
  await page.goto(`${ISOLATED_URL}#lesson=${payload(withRecording("https://audio.example/teacher/long.wav"))}`);
  await expect(panel.getByRole("heading", { name: "Sound like long.wav" })).toBeVisible();
  await mixOpened(page, 14);
  await checkMix(page);
  await agree();
  await page.evaluate((mib) => window.wasmBindings.mixroom_set_check_budget(mib * 1024 * 1024), withShort + 4);
  const withLong = await refusedNeed();
  console.log(`a check's memory: ${withShort} MiB with the 4 s recording, ${withLong} MiB with the 64 s one`);
  expect(withLong - withShort).toBeGreaterThanOrEqual(21);
  expect(withLong - withShort).toBeLessThanOrEqual(23);
  await page.evaluate(() => window.wasmBindings.mixroom_set_check_budget(3 * 1024 ** 3));
  expect(await checkMix(page)).toMatch(/0 of 1 goals met/);

  // A recording that cannot be fetched: the check still runs, and says why that goal is not measured.
  await page.goto(`${ISOLATED_URL}#lesson=${payload(withRecording("https://audio.example/teacher/gone.wav"))}`);
  await expect(panel.getByRole("heading", { name: "Sound like gone.wav" })).toBeVisible();
  await mixOpened(page, 14);
  await checkMix(page);
  await agree();
  const unreachable = await checkMix(page);
  console.log(`unreachable recording: ${unreachable}`);
  expect(unreachable).toMatch(/0 of 1 goals met\. The recording could not be fetched from https:\/\/audio\.example\/teacher\/gone\.wav: the server answered 404/);
  expect((await verdicts(page)).tone.measured).toBe("not measured");
  expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

test("with a file of the teacher's own, the lesson and the hand-in travel as projects with their audio, and the hand-in lands in the class table", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "Strings.wav", sineWav(8, 440, { invertRight: false, amplitude: 3_000 }));
  await mixOpened(page, 15);
  await page.getByRole("button", { name: "Teach" }).click();
  const dialog = page.getByRole("dialog", { name: "Teach: a lesson from this mix" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Strings under the band");
  await dialog.getByRole("combobox", { name: "Kind of goal" }).selectOption({ label: "A strip against the rest of the mix" });
  await dialog.getByRole("combobox", { name: "Strip", exact: true }).selectOption({ label: "Track Strings" });
  await dialog.getByRole("button", { name: "Use my mix's value" }).click();
  await expect(dialog.getByRole("status")).toHaveText(/The mix measures −?\d+\.\d dB/, { timeout: 120_000 });
  await dialog.getByRole("button", { name: "Add goal" }).click();
  // A link cannot hold the teacher's file, and says so; the project can.
  await dialog.getByRole("button", { name: "Share lesson" }).click();
  await expect(dialog.getByRole("status")).toHaveText(/does not hold the files the lesson plays \(Strings\.wav\)/);
  const lessonDownload = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Save lesson as a project" }).click();
  const lessonFile = await lessonDownload;
  expect(lessonFile.suggestedFilename()).toBe("lesson-strings-under-the-band.mixroom");
  const lessonPath = join(mkdtempSync(join(tmpdir(), "mixroom-lesson-")), lessonFile.suggestedFilename());
  await lessonFile.saveAs(lessonPath);
  await expect(dialog.getByRole("status")).toHaveText(/^Saved “lesson-strings-under-the-band\.mixroom”/);

  // A student in a fresh browser (which has never seen Strings.wav) opens the project.
  const { other, student, panel } = await openLessonProject(browser, lessonPath, "Strings under the band", 15);
  expect(await checkMix(student)).toMatch(/Every goal is met \(1 of 1\)/);
  await faderTo(student, "Strings", -12);
  expect(await checkMix(student)).toMatch(/0 of 1 goals met/);
  const studentValue = (await verdicts(student))["relative-level-1"].value;
  await panel.getByRole("textbox", { name: "Your name" }).fill("Ada");
  const handInDownload = student.waitForEvent("download");
  await panel.getByRole("button", { name: "Save hand-in as a project" }).click();
  const handInFile = await handInDownload;
  expect(handInFile.suggestedFilename()).toBe("Ada-strings-under-the-band.mixroom");
  const handInPath = join(mkdtempSync(join(tmpdir(), "mixroom-handin-")), handInFile.suggestedFilename());
  await handInFile.saveAs(handInPath);
  await expect(panel.getByRole("status").filter({ hasText: "Saved" })).toHaveText(/^Saved “Ada-strings-under-the-band\.mixroom”: send this file to your teacher/);
  await other.close();
  // mixroom check grades the project against the lesson's project, as the page measured it.
  let out = "";
  try {
    execFileSync(CLI, ["check", lessonPath, handInPath], { encoding: "utf8" });
  } catch (failed) {
    expect(failed.status).toBe(3); // a goal failed
    out = failed.stdout;
  }
  const line = JSON.parse(out.trim());
  console.log(`mixroom check on the projects: ${out.trim()}`);
  expect(line.student).toBe("Ada");
  expect(line.passed).toBe(false);
  expect(Math.abs(line.goals[0].measured - studentValue)).toBeLessThanOrEqual(0.05);

  // The teacher opens the lesson as made (not from the project: its fingerprint is the same),
  // drops the student's project on the class view, and picks two files that are not hand-ins.
  await dialog.getByRole("button", { name: "Open it here as a student" }).click();
  await expect(page.getByTestId("lesson-panel").getByRole("heading", { name: "Strings under the band" })).toBeVisible();
  await mixOpened(page, 15);
  await page.getByRole("button", { name: "Lessons" }).click();
  const lessons = page.getByRole("dialog", { name: "Lessons" });
  const classView = lessons.getByRole("region", { name: "Class view" });
  const dropped = await page.evaluateHandle(({ base64, name }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: "application/zip" }));
    return transfer;
  }, { base64: readFileSync(handInPath).toString("base64"), name: "Ada-strings-under-the-band.mixroom" });
  await classView.dispatchEvent("drop", { dataTransfer: dropped });
  const table = lessons.getByRole("table", { name: "Class table" });
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("0 of 1", { timeout: 120_000 });
  await expect(rows.first().getByRole("rowheader")).toHaveText("Ada");
  await expect(rows.first().getByRole("cell").nth(1)).toHaveText("Ada-strings-under-the-band.mixroom");
  // Nothing was imported by the drop: the mix still has its 15 tracks.
  await mixOpened(page, 15);
  const files = page.waitForEvent("filechooser");
  await lessons.getByRole("button", { name: "Add hand-in files" }).click();
  await (await files).setFiles([lessonPath]);
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("holds a lesson, not a hand-in");
  await page.screenshot({ path: join(ARTIFACTS, "class-table-projects.png") });

  // The row opens the student's mix with its audio, from the project.
  await lessons.getByRole("button", { name: "Open Ada's mix" }).click();
  await mixOpened(page, 15);
  await expect(page.getByRole("slider", { name: "Strings Fader" })).toHaveAttribute("aria-valuenow", "-12");
  expect(await checkMix(page)).toMatch(/0 of 1 goals met/);
  expect(errors).toEqual([]);
});

test("a reference recording picked as a file in teach mode travels in the lesson's project and is measured by the student's check", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  const rate = CHECK_RATE_HZ;
  // The teacher's recording: the demo as it opens, rendered by mixroom-cli at the checks' rate.
  const dir = mkdtempSync(join(tmpdir(), "mixroom-recording-"));
  execFileSync(CLI, ["demo", "-o", dir, "--sample-rate", String(rate)]);
  const wav = join(dir, "teacher-mix.wav");
  execFileSync(CLI, ["render", join(dir, "session.json"), "-o", wav, "--sample-rate", String(rate)]);
  await page.getByRole("button", { name: "Teach" }).click();
  const dialog = page.getByRole("dialog", { name: "Teach: a lesson from this mix" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Sound like the teacher");
  await dialog.getByRole("combobox", { name: "Kind of goal" }).selectOption({ label: "Tonal balance against the reference" });
  await dialog.getByRole("textbox", { name: "Highest that passes" }).fill("1");
  await dialog.getByRole("button", { name: "Add goal" }).click();
  await dialog.getByLabel("Or a reference recording file").setInputFiles(wav);
  await expect(dialog.getByRole("status")).toHaveText("The recording “teacher-mix.wav” is the lesson's reference (unless the mix is).");
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Save lesson as a project" }).click();
  const saved = await download;
  const lessonPath = join(dir, saved.suggestedFilename());
  await saved.saveAs(lessonPath);

  // A fresh profile: the recording comes from the project, and the start sounds like it.
  const { other, student, panel } = await openLessonProject(browser, lessonPath, "Sound like the teacher", 14);
  // The recording is stored only after the mix that names it: a second tab's housekeeping,
  // which keeps the files a kept mix names, never finds it unnamed.
  const sha = createHash("sha256").update(readFileSync(wav)).digest("hex");
  await expect.poll(() => student.evaluate((sha) => window.mixroomWrites.some((w) => w.store === "audio" && w.key === sha), sha)).toBe(true);
  const writes = await student.evaluate(() => window.mixroomWrites);
  const stored = writes.findIndex((w) => w.store === "audio" && w.key === sha);
  const named = writes.findIndex((w) => w.store === "mixes" && w.names.includes(sha));
  console.log(`writes: ${writes.map((w) => `${w.store} ${w.key.slice(0, 12)}`).join(", ")}; the mix naming the recording at ${named}, the recording at ${stored}`);
  expect(named).toBeGreaterThanOrEqual(0);
  expect(named).toBeLessThan(stored);
  expect(await checkMix(student)).toMatch(/Every goal is met \(1 of 1\)/);
  const tone = (await verdicts(student))["tonal-balance-1"];
  console.log(`start against the teacher's recording from the project: ${tone.measured}`);
  expect(tone.value).toBeLessThan(0.2);
  const compare = panel.getByRole("region", { name: "Compare" });
  await compare.getByRole("button", { name: "Prepare A/B" }).click();
  await expect(compare.getByRole("status")).toHaveText(/Ready/, { timeout: 120_000 });
  await expect(compare.getByRole("group", { name: "Listen to" }).getByRole("button")).toHaveText([/^My mix /, /^Start /, /^Recording “teacher-mix.wav” /]);
  // mixroom check reads the recording from the project too.
  const out = execFileSync(CLI, ["check", lessonPath, lessonPath], { encoding: "utf8" });
  const line = JSON.parse(out.trim());
  console.log(`mixroom check, the start against the recording: ${out.trim()}`);
  expect(line.passed).toBe(true);
  expect(Math.abs(line.goals[0].measured - tone.value)).toBeLessThanOrEqual(0.05);
  await other.close();
  expect(errors).toEqual([]);
});
