// The page as a user meets it, cross-origin isolated: the demo session plays through the worklet,
// meters move, controls reach the engine through shared memory.
import { test, expect } from "@playwright/test";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom, expectMeter } from "../support/page.mjs";

test("the demo plays through shared memory and the controls reach the engine", async ({ page }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId("audio-mode")).toHaveText("Shared memory");
  for (const name of ["Kick", "Bass", "Chords", "Hats", "Master"]) {
    await expect(page.getByRole("region", { name })).toBeVisible();
  }

  await page.getByRole("button", { name: "Play" }).click();
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();
  const master = await expectMeter(page, "Master", (db) => db > -30, "shows the mix");
  await expect.poll(() => page.getByTestId("playhead").textContent()).not.toBe("0:00.0");
  console.log(`master meter while playing: ${master.toFixed(1)} dB RMS`);

  // The master's loudness and true peak travel through the meter block too.
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

  // Mute: the kick's meter falls silent, the others go on.
  await page.getByRole("button", { name: "Kick Mute" }).click();
  await expect(page.getByRole("button", { name: "Kick Mute" })).toHaveAttribute("aria-pressed", "true");
  await expectMeter(page, "Kick", (db) => db <= -59, "falls silent when muted");
  await expectMeter(page, "Chords", (db) => db > -40, "keeps playing");

  // Solo: only the soloed track sounds.
  await page.getByRole("button", { name: "Hats Solo" }).click();
  await expectMeter(page, "Bass", (db) => db <= -59, "falls silent while Hats is soloed");
  await expectMeter(page, "Hats", (db) => db > -50, "plays while soloed");
  await page.getByRole("button", { name: "Hats Solo" }).click();
  await page.getByRole("button", { name: "Kick Mute" }).click();
  await expectMeter(page, "Kick", (db) => db > -40, "comes back when unmuted");

  // The fader, by keyboard: twelve steps down is −6 dB.
  const fader = page.getByRole("slider", { name: "Bass Fader" });
  await fader.focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press("ArrowDown");
  await expect(fader).toHaveAttribute("aria-valuetext", "−6.0 dB");

  // Pause stops the playhead.
  await page.getByRole("button", { name: "Pause" }).click();
  const stopped = await page.getByTestId("playhead").textContent();
  await page.waitForTimeout(500);
  expect(await page.getByTestId("playhead").textContent()).toBe(stopped);

  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: "artifacts/console-1280x720.png" });
  expect(errors).toEqual([]);
});
