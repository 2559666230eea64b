// Helpers that act on the page as a user would, through roles and accessible names.
import { expect } from "@playwright/test";

/** Opens the page and waits until the engine plays the demo song (it starts by itself). */
export async function openMixroom(page, url) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(url);
  await expect(page.getByTestId("engine-status")).toHaveCount(0, { timeout: 20_000 });
  // A fresh profile synthesizes the demo's stems before the mix plays: seconds on a slow machine.
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible({ timeout: 20_000 });
  return errors;
}

/** The level (dB RMS) the strip's meter shows, from its accessible value. */
export async function meterDb(page, stripName) {
  const meter = page.getByRole("meter", { name: `${stripName} level` });
  return Number(await meter.getAttribute("aria-valuenow"));
}

/** Waits until `stripName`'s meter level (dB) satisfies `predicate`; returns that level. */
export async function expectMeter(page, stripName, predicate, what) {
  let db = NaN;
  await expect
    .poll(async () => predicate((db = await meterDb(page, stripName))), {
      message: `${stripName} meter ${what}`,
      timeout: 10_000,
    })
    .toBe(true);
  return db;
}

/** The sample rate the page's audio context runs at (the engine's, an export's, a check's), Hz. */
export function contextRate(page) {
  return page.evaluate(() => {
    const context = new AudioContext();
    const rate = context.sampleRate;
    context.close();
    return rate;
  });
}
