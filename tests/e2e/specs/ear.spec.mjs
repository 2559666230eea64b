// Ear training on the demo song: a seeded EQ frequency round answered right scores 10, one an
// octave off scores 9; the engine's output at the hidden band differs from the flat original's
// by the hidden gain (within 1 dB, the loudness match taken out); the two versions measure
// within 0.5 LU, and the flat original is the mix untouched, bit for bit; the flat original key
// and button switch the live engine; the spectrum views are hidden during a round; the level
// climbs after right answers; the results are kept in the browser (a plot, a confusion table)
// and a reset asks first. An EQ correction round left alone scores 0; undone with the master's
// EQ by keyboard it scores full points, measured on the engine's render; ending it puts the
// master's EQ back. A challenge link's round plays again after a reload until it is answered.
// A lesson holds rounds the teacher added in Teach: the student plays them from the lesson, the
// first answers are kept through a reload and go with the hand-in, and the class table and
// mixroom check score them alike.
import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { inflateSync } from "node:zlib";
import { resolve } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { ISOLATED_URL } from "../support/urls.mjs";
import { contextRate, meterDb, openMixroom } from "../support/page.mjs";
import { mixOpened, maxDifference, render } from "../support/mix.mjs";

const CLI = resolve(process.env.MIXROOM_CLI || "../../target/release/mixroom");

/** The seed the rounds are drawn from. */
const SEED = 12;

/** The hidden round and the live engine's hidden parameters (`mixroom_ear_round`). */
const round = (page) => page.evaluate(() => window.wasmBindings.mixroom_ear_round());

/** The current mix rendered offline with the round's change (`changed`) or the flat original:
 * `{ channels: [left, right], integratedLufs }`. */
async function renderEar(page, frames, changed) {
  return page.evaluate(
    async ([frames, changed]) => {
      const r = await window.wasmBindings.mixroom_render_ear(frames, changed);
      return { channels: [Array.from(r.left), Array.from(r.right)], integratedLufs: r.integratedLufs };
    },
    [frames, changed],
  );
}

/** The power of `x` at `hz` (Hann windows of 2^15 frames, half overlapping), summed. */
function powerAt(x, hz, rate) {
  const n = 1 << 15;
  const w = Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const step = (2 * Math.PI * hz) / rate;
  let sum = 0;
  for (let start = 0; start + n <= x.length; start += n / 2) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const v = x[start + i] * w[i];
      re += v * Math.cos(step * i);
      im -= v * Math.sin(step * i);
    }
    sum += re * re + im * im;
  }
  return sum;
}

/** The octave centres an EQ round offers at first (mixroom_ear::bands::OCTAVES_HZ). */
const OCTAVES_HZ = [63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000];

/** The octave band next to `hz`, one octave off: the one above, or below the highest. */
function octaveOff(hz) {
  const i = OCTAVES_HZ.indexOf(hz);
  return OCTAVES_HZ[i === OCTAVES_HZ.length - 1 ? i - 1 : i + 1];
}

/** The band label the page shows for `hz` (mixroom_ear::bands::label). */
const bandLabel = (hz) => (hz >= 1000 ? `${+(hz / 1000).toFixed(2)} kHz` : `${hz} Hz`);

/** Opens the demo and its ear-training panel, rounds drawn from `seed`: `{ errors, panel }`. */
async function openEarTraining(page, seed) {
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await page.getByRole("button", { name: "Ear training" }).click();
  const panel = page.getByRole("complementary", { name: "Ear training" });
  await expect(panel).toBeVisible();
  await page.evaluate((seed) => window.wasmBindings.mixroom_ear_seed(seed), seed);
  return { errors, panel };
}

/** Answers `hidden` right in the panel. */
async function answerRight(panel, hidden) {
  await panel.getByRole("group", { name: "Band" }).getByRole("button", { name: bandLabel(hidden.centreHz), exact: true }).click();
  await panel.getByRole("group", { name: "Boost or cut" }).getByRole("button", { name: hidden.gainDb > 0 ? "boost" : "cut", exact: true }).click();
  await panel.getByRole("button", { name: "Answer" }).click();
}

test("an EQ frequency round on the demo: right scores 10, an octave off 9, the engine plays the hidden band loudness matched, and the results are kept", async ({ page }) => {
  const { errors, panel } = await openEarTraining(page, SEED);
  const rate = await contextRate(page);
  await panel.getByRole("button", { name: "Start EQ frequency" }).click();
  const verdict = panel.getByTestId("ear-verdict");
  await expect(verdict).toHaveText("Which band, and boost or cut?", { timeout: 30_000 });
  const first = await round(page);
  console.log(`round 1: ${first.centreHz} Hz ${first.gainDb} dB, match ${first.matchDb.toFixed(2)} dB`);
  expect(first.liveOn).toBe(1);
  expect(first.liveGainDb).toBe(first.gainDb);
  await expect(page.getByRole("img", { name: /Spectrum of the master output/ })).toHaveAccessibleName(/hidden during the ear-training round/);
  await page.screenshot({ path: "artifacts/ear-eq-round.png" });

  // The flat original, by button and by key, in the live engine.
  const flatButton = panel.getByRole("button", { name: "Flat original" });
  await flatButton.click();
  await expect(flatButton).toHaveAttribute("aria-pressed", "true");
  expect((await round(page)).liveOn).toBe(0);
  await page.keyboard.press("f");
  await expect(flatButton).toHaveAttribute("aria-pressed", "false");
  expect((await round(page)).liveOn).toBe(1);

  // The engine's output at the hidden band, changed against flat, over the 20 s the match is
  // measured on; their loudness; and the flat original is the mix untouched, bit for bit.
  const frames = rate * 20;
  const changedMix = await renderEar(page, frames, true);
  const flatMix = await renderEar(page, frames, false);
  const power = (mix) => mix.channels.reduce((sum, c) => sum + powerAt(c, first.centreHz, rate), 0);
  const bandDb = 10 * Math.log10(power(changedMix) / power(flatMix));
  console.log(`engine at ${first.centreHz} Hz: ${bandDb.toFixed(2)} dB changed vs flat; set ${first.gainDb} dB + match ${first.matchDb.toFixed(2)} dB`);
  expect(Math.abs(bandDb - first.matchDb - first.gainDb)).toBeLessThan(1);
  console.log(`loudness: changed ${changedMix.integratedLufs.toFixed(2)} LUFS, flat ${flatMix.integratedLufs.toFixed(2)} LUFS`);
  expect(Math.abs(changedMix.integratedLufs - flatMix.integratedLufs)).toBeLessThan(0.5);
  expect(maxDifference(flatMix.channels, await render(page, frames))).toBe(0);

  // Answered right: 10 points.
  const way = first.gainDb > 0 ? "boost" : "cut";
  await answerRight(panel, first);
  await expect(verdict).toHaveText(`Right: ${bandLabel(first.centreHz)} ${way}, ${first.gainDb > 0 ? "+" : "−"}${Math.abs(first.gainDb)} dB. 10 points.`);
  await page.screenshot({ path: "artifacts/ear-eq-right.png" });

  // The next round answered an octave off: 9 points.
  await panel.getByRole("button", { name: "Next round" }).click();
  await expect(verdict).toHaveText("Which band, and boost or cut?", { timeout: 30_000 });
  const second = await round(page);
  console.log(`round 2: ${second.centreHz} Hz ${second.gainDb} dB`);
  const off = octaveOff(second.centreHz);
  const secondWay = second.gainDb > 0 ? "boost" : "cut";
  await panel.getByRole("group", { name: "Band" }).getByRole("button", { name: bandLabel(off), exact: true }).click();
  await panel.getByRole("group", { name: "Boost or cut" }).getByRole("button", { name: secondWay, exact: true }).click();
  await panel.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toContainText(`you said ${bandLabel(off)} ${secondWay}. 9 points.`);
  await expect(panel).toContainText("19 of 20 points in 2 rounds (1 right)");
  await page.screenshot({ path: "artifacts/ear-eq-octave-off.png" });
  const axe = await new AxeBuilder({ page }).include("#ear-training").analyze();
  expect(axe.violations).toEqual([]);

  // Four more rounds answered right: the level climbs, the plot and the table show them.
  for (let i = 3; i <= 6; i++) {
    await panel.getByRole("button", { name: "Next round" }).click();
    await expect(verdict).toHaveText("Which band, and boost or cut?", { timeout: 30_000 });
    await answerRight(panel, await round(page));
    await expect(verdict).toContainText("10 points.");
  }
  await expect(panel.getByText(/A peak or dip is hidden in one band/)).toContainText("Level 3 of 5");
  await expect(panel.getByRole("img", { name: "EQ frequency accuracy over time, every 5 rounds: 98%, 100%" })).toBeVisible();
  const table = panel.getByRole("table", { name: /EQ bands: hidden \(rows\) and named \(columns\)/ });
  await expect(table.getByRole("rowheader", { name: bandLabel(second.centreHz), exact: true })).toBeVisible();
  await panel.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await panel.screenshot({ path: "artifacts/ear-progress.png" });

  // Ending the round: nothing is hidden in the engine, the spectra come back.
  await panel.getByRole("button", { name: "End" }).click();
  expect(await round(page)).toMatchObject({ liveOn: 0, liveGainDb: 0 });
  await expect(page.getByRole("img", { name: "Spectrum of the master output" })).toBeVisible();

  // The results are kept in this browser; reset asks first.
  await page.reload();
  await mixOpened(page, 14);
  await page.getByRole("button", { name: "Ear training" }).click();
  await expect(panel).toContainText("EQ frequency: 6 rounds, 98% of the points.");
  await expect(panel).toContainText("EQ correction: no rounds yet.");
  await panel.getByRole("button", { name: "Reset progress" }).click();
  await expect(panel).toContainText("Delete every ear-training result kept in this browser?");
  await panel.getByRole("button", { name: "Delete my results" }).click();
  await expect(panel).toContainText("EQ frequency: no rounds yet.");
  await page.reload();
  await mixOpened(page, 14);
  await page.getByRole("button", { name: "Ear training" }).click();
  await expect(panel).toContainText("EQ frequency: no rounds yet.");
  expect(errors).toEqual([]);
});

/** Moves the knob `slider` by keyboard as close to `target` as its steps allow (`log`: by
 * ratio, for frequencies): page steps, then arrows, then Shift+arrows. */
async function approach(page, slider, target, log = false) {
  const value = async () => Number(await slider.getAttribute("aria-valuenow"));
  const distance = (v) => (log ? Math.abs(Math.log2(v / target)) : Math.abs(v - target));
  await slider.focus();
  for (const [up, down] of [["PageUp", "PageDown"], ["ArrowUp", "ArrowDown"], ["Shift+ArrowUp", "Shift+ArrowDown"]]) {
    for (let i = 0; i < 400; i++) {
      const before = await value();
      const key = before < target ? up : down;
      await page.keyboard.press(key);
      await expect.poll(value).not.toBe(before);
      const after = await value();
      if (distance(after) >= distance(before)) {
        await page.keyboard.press(key === up ? down : up);
        await expect.poll(value).not.toBe(after);
        break;
      }
    }
  }
  return value();
}

test("an EQ correction round: left alone it scores 0, undone with the master's EQ by keyboard it scores 10, and the end puts the EQ back", async ({ page }) => {
  const { errors, panel } = await openEarTraining(page, SEED + 1);
  const verdict = panel.getByTestId("ear-verdict");

  // Checked without touching the EQ: nothing undone, no points.
  await panel.getByRole("button", { name: "Start EQ correction" }).click();
  await expect(verdict).toHaveText("Undo the change with the master's EQ, then check.", { timeout: 30_000 });
  await expect(page.getByRole("slider", { name: "Master EQ 2 gain" })).toBeVisible();
  await panel.getByRole("button", { name: "Check my correction" }).click();
  await expect(verdict).toContainText("0 points.", { timeout: 30_000 });
  const untouched = (await verdict.textContent()).match(/within ([\d.]+) dB .* put it ([\d.]+) dB off/);
  console.log(`left alone: ${await verdict.textContent()}`);
  expect(untouched[1]).toBe(untouched[2]);

  // The next round undone with band 2 of the master's EQ, by keyboard.
  await panel.getByRole("button", { name: "Next round" }).click();
  await expect(verdict).toHaveText("Undo the change with the master's EQ, then check.", { timeout: 30_000 });
  const hidden = await round(page);
  const hz = await approach(page, page.getByRole("slider", { name: "Master EQ 2 frequency" }), hidden.centreHz, true);
  const gain = await approach(page, page.getByRole("slider", { name: "Master EQ 2 gain" }), -hidden.gainDb);
  const q = await approach(page, page.getByRole("slider", { name: "Master EQ 2 Q" }), hidden.q);
  console.log(`hidden ${hidden.centreHz} Hz ${hidden.gainDb} dB Q ${hidden.q.toFixed(2)}; undone with ${hz.toFixed(0)} Hz ${gain} dB Q ${q.toFixed(2)}`);
  await page.screenshot({ path: "artifacts/ear-correction.png" });
  await panel.getByRole("button", { name: "Check my correction" }).click();
  await expect(verdict).toContainText("10 points.", { timeout: 30_000 });
  console.log(`undone: ${await verdict.textContent()}`);
  await expect(panel).toContainText("This sitting: 10 of 20 points in 2 rounds (1 right).");

  // The end puts the master's EQ back as it was.
  await panel.getByRole("button", { name: "End" }).click();
  await expect(page.getByRole("slider", { name: "Master EQ 2 gain" })).toHaveAttribute("aria-valuetext", "0.0 dB");
  expect(await round(page)).toMatchObject({ liveOn: 0, liveGainDb: 0 });
  expect(errors).toEqual([]);
});

test("the track exercises on the demo: gain, pan, compression (its versions within 0.5 LU) and space, each scored and kept", async ({ page }) => {
  const { errors, panel } = await openEarTraining(page, SEED + 2);
  const verdict = panel.getByTestId("ear-verdict");
  const rate = await contextRate(page);
  const asked = (text) => expect(verdict).toHaveText(text, { timeout: 60_000 });

  // Gain: the track and the change named right.
  await panel.getByRole("button", { name: "Start Gain" }).click();
  await asked("Which track changed, and by how much?");
  const gain = await round(page);
  console.log(`gain round: ${gain.trackName} ${gain.value} dB, match ${gain.matchDb.toFixed(2)} dB`);
  expect(gain).toMatchObject({ liveOn: 1, liveTrackChange: 1, liveTrackValue: gain.value });
  // The strips' meters would tell which track moved: they are hidden (fall to silence).
  await expect.poll(() => meterDb(page, gain.trackName), { timeout: 10_000 }).toBeLessThanOrEqual(-60);
  const change = `${gain.value > 0 ? "+" : "−"}${Math.abs(gain.value)} dB`;
  await panel.getByRole("group", { name: "Track" }).getByRole("button", { name: gain.trackName, exact: true }).click();
  await panel.getByRole("group", { name: "Change" }).getByRole("button", { name: change, exact: true }).click();
  await page.screenshot({ path: "artifacts/ear-gain.png" });
  await panel.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toHaveText(`Right: “${gain.trackName}”, ${change}. 10 points.`);

  // Compression: rounds until one compresses; its two versions measure within 0.5 LU.
  await panel.getByRole("button", { name: "Start Compression" }).click();
  let compression;
  for (let i = 0; i < 8; i++) {
    await expect(verdict).toContainText("How much compression is on", { timeout: 60_000 });
    compression = await round(page);
    if (compression.value > 0) break;
    await panel.getByRole("button", { name: "Next round" }).click();
    await expect(verdict).toContainText("Preparing");
  }
  expect(compression.value).toBeGreaterThan(0);
  const [changed, flat] = [await renderEar(page, rate * 20, true), await renderEar(page, rate * 20, false)];
  console.log(`compression round: ${compression.trackName} ${compression.value === 2 ? "heavy" : "light"}, make-up ${compression.makeupDb.toFixed(2)} dB, match ${compression.matchDb.toFixed(2)} dB; changed ${changed.integratedLufs.toFixed(2)} LUFS, flat ${flat.integratedLufs.toFixed(2)} LUFS`);
  expect(compression.makeupDb).toBeGreaterThan(0);
  expect(Math.abs(changed.integratedLufs - flat.integratedLufs)).toBeLessThan(0.5);
  expect(maxDifference(flat.channels, await render(page, rate * 20))).toBe(0);
  const amount = compression.value === 2 ? "heavy" : "light";
  await panel.getByRole("group", { name: "Compression" }).getByRole("button", { name: amount, exact: true }).click();
  await panel.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toHaveText(`Right: ${amount}. 10 points.`);

  // Pan, answered wrong: the page says where it sat.
  await panel.getByRole("button", { name: "Start Pan" }).click();
  await expect(verdict).toContainText("Where does", { timeout: 60_000 });
  const pan = await round(page);
  const positions = panel.getByRole("group", { name: "Position" }).getByRole("button");
  const names = await positions.allTextContents();
  const where = ["left", "half left", "centre", "half right", "right"][[-1, -0.5, 0, 0.5, 1].indexOf(pan.value)];
  await positions.filter({ hasNotText: where }).first().click();
  await page.screenshot({ path: "artifacts/ear-pan.png" });
  await panel.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toContainText(`It was ${where}; you said`);
  await expect(verdict).toContainText("0 points.");
  expect(names).toEqual(["left", "half left", "centre", "half right", "right"]);

  // Space, answered right.
  await panel.getByRole("button", { name: "Start Space" }).click();
  await expect(verdict).toContainText("How much reverb is", { timeout: 60_000 });
  const space = await round(page);
  const spaceLabel = { "-100": "none", "-18": "a little", "-12": "some", "-6": "a lot" }[String(space.value)];
  await panel.getByRole("group", { name: "Reverb" }).getByRole("button", { name: spaceLabel, exact: true }).click();
  await panel.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toHaveText(`Right: ${spaceLabel}. 10 points.`);
  await expect(panel).toContainText("This sitting: 30 of 40 points in 4 rounds (3 right).");

  await panel.getByRole("button", { name: "End" }).click();
  expect(await round(page)).toMatchObject({ liveOn: 0 });
  await expect.poll(() => meterDb(page, "Kick"), { timeout: 10_000 }).toBeGreaterThan(-60);
  await expect(panel).toContainText("Gain: 1 rounds, 100% of the points.");
  expect(errors).toEqual([]);
});

/** Opens `url` in a fresh profile; resolves to its page, once the challenge's round asks. */
async function openChallenge(browser, url, question) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = await openMixroom(page, url);
  const panel = page.getByRole("complementary", { name: "Ear training" });
  await expect(panel.getByTestId("ear-verdict")).toContainText(question, { timeout: 60_000 });
  return { context, page, panel, errors };
}

test("a challenge link plays the same round in a fresh profile and scores the same; a damaged one is refused and the mix opens", async ({ page, browser }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await page.getByRole("button", { name: "Ear training" }).click();
  const panel = page.getByRole("complementary", { name: "Ear training" });
  const makeLink = async (kind) => {
    await panel.getByRole("combobox", { name: "Hidden change" }).selectOption(kind);
    await panel.getByRole("button", { name: "Make a challenge link" }).click();
    return panel.getByRole("textbox", { name: "Challenge link" }).inputValue();
  };
  const eqLink = await makeLink("EQ frequency");
  console.log(`EQ challenge link: ${eqLink.length} characters`);
  expect(eqLink).toMatch(/#mix=[\w-]+&challenge=[\w-]+$/);
  expect(eqLink).not.toMatch(/centre_hz|gain_db/);
  await panel.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await panel.screenshot({ path: "artifacts/ear-challenge-made.png" });

  // Two fresh profiles answer it an octave off: the same round, the same 9 points.
  const verdicts = [];
  for (let i = 0; i < 2; i++) {
    const them = await openChallenge(browser, eqLink, "Which band, and boost or cut?");
    await expect(them.panel.getByRole("heading", { name: "Round: EQ frequency (a challenge from a link)" })).toBeVisible();
    const hidden = await round(them.page);
    const off = octaveOff(hidden.centreHz);
    await them.panel.getByRole("group", { name: "Band" }).getByRole("button", { name: bandLabel(off), exact: true }).click();
    await them.panel.getByRole("group", { name: "Boost or cut" }).getByRole("button", { name: hidden.gainDb > 0 ? "boost" : "cut", exact: true }).click();
    await them.panel.getByRole("button", { name: "Answer" }).click();
    await expect(them.panel.getByTestId("ear-verdict")).toContainText("9 points.");
    if (i === 0) await them.page.screenshot({ path: "artifacts/ear-challenge-answered.png" });
    verdicts.push([hidden, await them.panel.getByTestId("ear-verdict").textContent()]);
    expect(them.errors).toEqual([]);
    await them.context.close();
  }
  console.log(`challenge answered in two fresh profiles: ${verdicts.map((v) => v[1]).join(" | ")}`);
  expect(verdicts[1]).toEqual(verdicts[0]);

  // A gain challenge: the same track and change in a fresh profile, loudness matched alike.
  const gainLink = await makeLink("Gain");
  const them = await openChallenge(browser, gainLink, "Which track changed, and by how much?");
  const hidden = await round(them.page);
  // A reload before answering plays the same round again; after the answer it does not.
  await them.page.reload();
  await mixOpened(them.page, 14);
  await expect(them.panel.getByTestId("ear-verdict")).toContainText("Which track changed, and by how much?", { timeout: 60_000 });
  expect(await round(them.page)).toEqual(hidden);
  const change = `${hidden.value > 0 ? "+" : "−"}${Math.abs(hidden.value)} dB`;
  await them.panel.getByRole("group", { name: "Track" }).getByRole("button", { name: hidden.trackName, exact: true }).click();
  await them.panel.getByRole("group", { name: "Change" }).getByRole("button", { name: change, exact: true }).click();
  await them.panel.getByRole("button", { name: "Answer" }).click();
  await expect(them.panel.getByTestId("ear-verdict")).toHaveText(`Right: “${hidden.trackName}”, ${change}. 10 points.`);
  await them.page.reload();
  await mixOpened(them.page, 14);
  await expect(them.page.getByRole("button", { name: "Pause" })).toBeVisible();
  await them.page.waitForTimeout(2_000);
  await expect(them.panel).toHaveCount(0);
  await them.context.close();

  // A damaged challenge: said, and the mix in the link opens all the same.
  const damaged = eqLink.replace(/challenge=(.)/, (_, c) => `challenge=${c === "A" ? "B" : "A"}`) + "xyz";
  const broken = await browser.newContext();
  const other = await broken.newPage();
  await openMixroom(other, damaged);
  await mixOpened(other, 14);
  await expect(other.getByTestId("notice").filter({ hasText: "challenge" })).toContainText("No ear-training round is played: the challenge in this link is damaged. The mix in it is open.");
  await expect(other.getByRole("complementary", { name: "Ear training" })).toHaveCount(0);
  await broken.close();
});

test("an ear-training lesson: rounds added in Teach, played from the lesson by a student, kept through a reload, handed in, and scored alike by the class table and mixroom check", async ({ page, browser }) => {
  test.setTimeout(300_000);
  // The teacher adds two rounds, drawn from a seed, and shares the lesson.
  const { errors } = await openEarTraining(page, SEED);
  await page.getByRole("button", { name: "Teach" }).click();
  const teach = page.getByRole("dialog", { name: "Teach: a lesson from this mix" });
  await teach.getByRole("textbox", { name: "Title" }).fill("Ears on the demo");
  for (const kind of ["EQ frequency", "Gain"]) {
    await teach.getByRole("combobox", { name: "Ear-training round" }).selectOption(kind);
    await teach.getByRole("button", { name: "Add an ear-training round" }).click();
    await expect(teach.getByRole("status")).toHaveText(`Ear-training round added: ${kind}, drawn at your level in it.`);
  }
  const goals = teach.getByRole("list", { name: "Lesson goals" }).getByRole("listitem");
  await expect(goals).toHaveCount(2);
  await expect(goals.first()).toContainText("Ear training, EQ frequency: play the round and name the hidden change (8 points or more).");
  await teach.getByRole("button", { name: "Share lesson" }).click();
  const lessonLink = await teach.getByRole("textbox", { name: "Lesson link" }).inputValue();
  // The lesson's JSON (zlib'd in the link) holds each round only as a challenge payload.
  const lessonJson = inflateSync(Buffer.from(lessonLink.split("#lesson=")[1], "base64url").subarray(1)).toString();
  const lessonGoals = JSON.parse(lessonJson).goals;
  expect(lessonGoals.map((g) => Object.keys(g).sort())).toEqual(Array(2).fill(["challenge", "id", "kind", "min_points", "text"]));
  expect(lessonGoals.map((g) => g.kind)).toEqual(["ear_challenge", "ear_challenge"]);
  await page.screenshot({ path: "artifacts/ear-lesson-teach.png" });
  await teach.getByRole("button", { name: "Close" }).click();

  // A student in a fresh profile plays both from the lesson: an octave off, then right.
  const student = await browser.newContext();
  const them = await student.newPage();
  const theirErrors = await openMixroom(them, lessonLink);
  const lesson = them.getByTestId("lesson-panel");
  await expect(lesson.getByRole("heading", { name: "Ears on the demo" })).toBeVisible();
  await mixOpened(them, 14);
  const ear = them.getByRole("complementary", { name: "Ear training" });
  const verdict = ear.getByTestId("ear-verdict");
  await lesson.getByRole("button", { name: /^Play the round: Ear training, EQ frequency/ }).click();
  await expect(verdict).toHaveText("Which band, and boost or cut?", { timeout: 60_000 });
  await expect(ear.getByRole("heading", { name: "Round: EQ frequency (the lesson's)" })).toBeVisible();
  const eq = await round(them);
  const off = octaveOff(eq.centreHz);
  await ear.getByRole("group", { name: "Band" }).getByRole("button", { name: bandLabel(off), exact: true }).click();
  await ear.getByRole("group", { name: "Boost or cut" }).getByRole("button", { name: eq.gainDb > 0 ? "boost" : "cut", exact: true }).click();
  await ear.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toContainText("9 points. This answer goes with your hand-in.");
  await lesson.getByRole("button", { name: /^Play the round: Ear training, Gain/ }).click();
  await expect(verdict).toHaveText("Which track changed, and by how much?", { timeout: 60_000 });
  const gain = await round(them);
  const change = `${gain.value > 0 ? "+" : "−"}${Math.abs(gain.value)} dB`;
  await ear.getByRole("group", { name: "Track" }).getByRole("button", { name: gain.trackName, exact: true }).click();
  await ear.getByRole("group", { name: "Change" }).getByRole("button", { name: change, exact: true }).click();
  await ear.getByRole("button", { name: "Answer" }).click();
  await expect(verdict).toContainText("10 points. This answer goes with your hand-in.");
  console.log(`the lesson's rounds: ${JSON.stringify(eq)} answered ${off} Hz; ${gain.trackName} ${change} answered right`);

  // The answers are kept with the mix: after a reload both stand, and a second try does not count.
  await expect(lesson.getByText("Answered", { exact: true })).toHaveCount(2);
  await them.waitForTimeout(1_000);
  await them.reload();
  await expect(lesson.getByRole("heading", { name: "Ears on the demo" })).toBeVisible();
  await mixOpened(them, 14);
  await expect(lesson.getByText("Answered", { exact: true })).toHaveCount(2);
  await lesson.getByRole("button", { name: /^Play the round: Ear training, EQ frequency/ }).click();
  await expect(verdict).toHaveText("Which band, and boost or cut?", { timeout: 60_000 });
  await answerRight(ear, await round(them));
  await expect(verdict).toContainText("10 points. Your first answer to this round stands for the lesson.");
  await them.getByRole("button", { name: "Ear training", exact: true }).click();

  // Check my mix scores the answers kept, and they go with the hand-in.
  await lesson.getByRole("button", { name: "Check my mix" }).click();
  await expect(lesson.getByTestId("check-status")).toHaveText("Every goal is met (2 of 2).", { timeout: 60_000 });
  const measured = await lesson.locator(".goal-measured").allInnerTexts();
  expect(measured).toEqual(["9 points", "10 points"]);
  await them.screenshot({ path: "artifacts/ear-lesson-student.png" });
  await lesson.getByRole("textbox", { name: "Your name" }).fill("Ada");
  await lesson.getByRole("button", { name: "Hand in" }).click();
  const handIn = await lesson.getByRole("textbox", { name: "Hand-in link" }).inputValue();
  expect(theirErrors).toEqual([]);
  await student.close();

  // The teacher's class table and mixroom check: the same points.
  const teacher = await page.context().newPage();
  const teacherErrors = await openMixroom(teacher, lessonLink);
  await expect(teacher.getByTestId("lesson-panel").getByRole("heading", { name: "Ears on the demo" })).toBeVisible();
  await teacher.getByRole("button", { name: "Lessons" }).click();
  const dialog = teacher.getByRole("dialog", { name: "Lessons" });
  await dialog.getByRole("textbox", { name: "Hand-in links, one a line" }).fill(handIn);
  await dialog.getByRole("button", { name: "Add hand-ins" }).click();
  const row = dialog.getByRole("table", { name: "Class table" }).locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("2 of 2", { timeout: 120_000 });
  const shown = await row.innerText();
  console.log(`class table: ${shown}`);
  expect(shown).toMatch(/Ada\s+line 1\s+2 of 2\s+9 points ✓\s+10 points ✓/);
  await teacher.screenshot({ path: "artifacts/ear-lesson-class-table.png" });
  const out = execFileSync(CLI, ["check", lessonLink, handIn], { encoding: "utf8" });
  const cli = JSON.parse(out.trim());
  console.log(`mixroom check: ${out.trim()}`);
  expect(cli.passed).toBe(true);
  expect(cli.goals.map((g) => g.measured)).toEqual([9, 10]);
  expect(errors).toEqual([]);
  expect(teacherErrors).toEqual([]);
});

test("a lesson's EQ correction round: the student's EQ stays in the mix after the round, and Check my mix and mixroom check score it from the mix", async ({ page, browser }) => {
  test.setTimeout(240_000);
  await openEarTraining(page, SEED + 1);
  await page.getByRole("button", { name: "Teach" }).click();
  const teach = page.getByRole("dialog", { name: "Teach: a lesson from this mix" });
  await teach.getByRole("textbox", { name: "Title" }).fill("Undo it");
  await teach.getByRole("combobox", { name: "Ear-training round" }).selectOption("EQ correction");
  await teach.getByRole("button", { name: "Add an ear-training round" }).click();
  await teach.getByRole("button", { name: "Share lesson" }).click();
  const lessonLink = await teach.getByRole("textbox", { name: "Lesson link" }).inputValue();

  const student = await browser.newContext();
  const them = await student.newPage();
  const errors = await openMixroom(them, lessonLink);
  const lesson = them.getByTestId("lesson-panel");
  await mixOpened(them, 14);
  const ear = them.getByRole("complementary", { name: "Ear training" });
  const verdict = ear.getByTestId("ear-verdict");
  await lesson.getByRole("button", { name: /^Play the round: Ear training, EQ correction/ }).click();
  await expect(verdict).toHaveText("Undo the change with the master's EQ, then check.", { timeout: 60_000 });
  const hidden = await round(them);
  await approach(them, them.getByRole("slider", { name: "Master EQ 2 frequency" }), hidden.centreHz, true);
  const gain = await approach(them, them.getByRole("slider", { name: "Master EQ 2 gain" }), -hidden.gainDb);
  await approach(them, them.getByRole("slider", { name: "Master EQ 2 Q" }), hidden.q);
  await ear.getByRole("button", { name: "Check my correction" }).click();
  await expect(verdict).toContainText("10 points.", { timeout: 60_000 });
  // The round ends; the correction is the student's answer, and stays.
  await them.getByRole("button", { name: "Ear training", exact: true }).click();
  await expect(ear).toHaveCount(0);
  await expect(them.getByRole("slider", { name: "Master EQ 2 gain" })).toHaveAttribute("aria-valuenow", String(gain));
  await lesson.getByRole("button", { name: "Check my mix" }).click();
  await expect(lesson.getByTestId("check-status")).toHaveText("Every goal is met (1 of 1).", { timeout: 120_000 });
  const hint = await lesson.locator(".goal-hint").last().innerText();
  console.log(`the lesson's correction round ${JSON.stringify(hidden)}: ${hint}`);
  await expect(lesson.locator(".goal-measured")).toHaveText("10 points");
  await lesson.getByRole("textbox", { name: "Your name" }).fill("Ada");
  await lesson.getByRole("button", { name: "Hand in" }).click();
  const handIn = await lesson.getByRole("textbox", { name: "Hand-in link" }).inputValue();
  const cli = JSON.parse(execFileSync(CLI, ["check", lessonLink, handIn], { encoding: "utf8" }).trim());
  console.log(`mixroom check: ${cli.goals[0].hint}`);
  expect(cli.passed).toBe(true);
  expect(cli.goals[0].measured).toBe(10);
  expect(errors).toEqual([]);
  await student.close();
});
