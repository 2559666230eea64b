// The page as a user meets it, cross-origin isolated: the demo song plays by itself, and the
// console mixes it through roles and accessible names only: a fader by keyboard, solo, an EQ
// band, undo. The sound is checked on the meters and the post-EQ spectrum.
import { test, expect } from "@playwright/test";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom, expectMeter, meterDb } from "../support/page.mjs";

const STEMS = ["Kick", "Snare", "Hi-hat", "Tom hi", "Tom lo", "OH L", "OH R", "Room", "Bass", "Guitar", "Keys", "Pad", "Lead", "Shaker"];

/** The loudest reading of `strip`'s meter (dB RMS) over `ms`, read every 25 ms. */
async function loudest(page, strip, fromMs, toMs) {
  // Over the same stretch of the song whatever the machine's load, once the playhead is back
  // at the start (Home); from `fromMs` on, so that the meter no longer shows what played before.
  const playheadMs = async () => {
    const [m, s] = (await page.getByRole("status", { name: "Playhead" }).textContent()).split(":");
    return (Number(m) * 60 + Number(s)) * 1000;
  };
  await expect.poll(playheadMs, { message: "the playhead back at the start" }).toBeLessThan(fromMs);
  let best = -Infinity;
  const end = Date.now() + 20_000;
  for (let at = await playheadMs(); at < toMs && Date.now() < end; at = await playheadMs()) {
    const db = await meterDb(page, strip);
    if (at >= fromMs) best = Math.max(best, db);
    await page.waitForTimeout(25);
  }
  return best;
}

/** Moves the playhead to the start with the Home key (with no control focused). */
async function backToStart(page) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Home");
}

/** [pre, post] spectrum level (dB) at EQ band `band` (0-based) of the EQ editor. */
async function bandLevels(page, band) {
  const editor = page.getByRole("img", { name: /EQ curve over the spectrum/ });
  const levels = JSON.parse((await editor.getAttribute("data-band-levels")) ?? "[[-200,-200],[-200,-200],[-200,-200],[-200,-200]]");
  return levels[band];
}

test("the demo plays by itself and a user mixes it on the console", async ({ page }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId("audio-mode")).toHaveText("Shared memory");
  for (const name of [...STEMS, "Drums", "Reverb", "Delay", "Master"]) {
    await expect(page.getByRole("region", { name, exact: true })).toBeVisible();
  }
  const master = await expectMeter(page, "Master", (db) => db > -30, "shows the mix");
  await expect.poll(() => page.getByTestId("playhead").textContent()).not.toBe("0:00.0");
  console.log(`master meter while playing: ${master.toFixed(1)} dB RMS`);

  // The master's loudness and true peak travel through the meter block too, and show.
  await page.waitForTimeout(3_500);
  const loudness = await page.evaluate(() => window.wasmBindings.mixroom_master_figures());
  console.log(`master figures: ${JSON.stringify(loudness)}`);
  expect(loudness.momentaryLufs).toBeGreaterThan(-40);
  expect(loudness.momentaryLufs).toBeLessThan(0);
  expect(loudness.shortTermLufs).toBeGreaterThan(-40);
  expect(loudness.integratedLufs).toBeGreaterThan(-40);
  expect(Math.max(...loudness.truePeak)).toBeGreaterThan(0.01);
  expect(Math.max(...loudness.truePeak)).toBeLessThanOrEqual(10 ** (-0.9 / 20)); // −1 dBTP limiter
  expect(loudness.latencyFrames).toBeGreaterThan(0);
  await expect(page.getByTestId("lufs-integrated")).toHaveText(/^−?\d+\.\d/);

  // The kick fader, by keyboard: twelve presses down is −6 dB, and the kick's meter, read over
  // the same two seconds of the song, drops by about as much.
  await backToStart(page);
  const before = await loudest(page, "Kick", 600, 2_600);
  const fader = page.getByRole("slider", { name: "Kick Fader" });
  await fader.focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press("ArrowDown");
  await expect(fader).toHaveAttribute("aria-valuetext", "−6.0 dB");
  await backToStart(page);
  const after = await loudest(page, "Kick", 600, 2_600);
  console.log(`kick fader −6 dB: meter ${before.toFixed(1)} -> ${after.toFixed(1)} dB (${(after - before).toFixed(2)} dB)`);
  expect(Math.abs(after - before + 6)).toBeLessThan(1);

  // Mute: the kick's meter falls silent, the others go on.
  await page.getByRole("button", { name: "Kick Mute" }).click();
  await expect(page.getByRole("button", { name: "Kick Mute" })).toHaveAttribute("aria-pressed", "true");
  await expectMeter(page, "Kick", (db) => db <= -59, "falls silent when muted");
  await expectMeter(page, "Pad", (db) => db > -40, "keeps playing");
  await page.getByRole("button", { name: "Kick Mute" }).click();

  // Solo: only the soloed track sounds.
  await page.getByRole("button", { name: "Bass Solo" }).click();
  for (const other of ["Kick", "Pad", "Guitar", "Hi-hat"]) {
    await expectMeter(page, other, (db) => db <= -59, "falls silent while Bass is soloed");
  }
  await expectMeter(page, "Bass", (db) => db > -40, "plays while soloed");
  await page.getByRole("button", { name: "Bass Solo" }).click();
  await expectMeter(page, "Kick", (db) => db > -40, "comes back after the solo");

  // EQ: select the pad, raise its band 3 (2.5 kHz bell) by 12 dB from the keyboard; the
  // post-EQ spectrum rises there while the pre-EQ one stays.
  await page.getByRole("heading", { name: "Pad", exact: true }).click();
  await expect(page.getByRole("tab", { name: "EQ" })).toHaveAttribute("aria-selected", "true");
  const gain = page.getByRole("slider", { name: "Pad EQ 3 gain" });
  await expect.poll(async () => (await bandLevels(page, 2))[0]).toBeGreaterThan(-100);
  const [pre0, post0] = await bandLevels(page, 2);
  await gain.focus();
  await page.keyboard.press("PageUp");
  await page.keyboard.press("PageUp");
  await expect(gain).toHaveAttribute("aria-valuetext", "+12.0 dB");
  await page.waitForTimeout(600);
  let boosted;
  await expect
    .poll(async () => {
      const [pre, post] = await bandLevels(page, 2);
      return (boosted = post - pre);
    })
    .toBeGreaterThan(9);
  console.log(`pad EQ 3 +12 dB at 2.5 kHz: post − pre ${(post0 - pre0).toFixed(1)} -> ${boosted.toFixed(1)} dB`);

  // Undo, twice (two key presses): the band is flat again, in the sound too.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Control+z");
  await page.keyboard.press("Control+z");
  await expect(gain).toHaveAttribute("aria-valuetext", "0.0 dB");
  await expect.poll(async () => {
    const [pre, post] = await bandLevels(page, 2);
    return Math.abs(post - pre);
  }).toBeLessThan(1.5);
  // Redo brings one step back.
  await page.keyboard.press("Control+Shift+z");
  await expect(gain).toHaveAttribute("aria-valuetext", "+6.0 dB");

  // Pause stops the playhead; Space plays again.
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByRole("button", { name: "Play", exact: true })).toBeVisible();
  // The display shows the engine's playhead a frame or two after the engine stops.
  await page.waitForTimeout(200);
  const stopped = await page.getByTestId("playhead").textContent();
  await page.waitForTimeout(500);
  expect(await page.getByTestId("playhead").textContent()).toBe(stopped);
  await page.keyboard.press("Space");
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();
  expect(errors).toEqual([]);
});
