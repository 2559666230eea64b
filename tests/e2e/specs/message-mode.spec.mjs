// Served without COOP/COEP the page is not cross-origin isolated: no SharedArrayBuffer. The same
// app must work with the blocks travelling over port.postMessage, and say so.
import { test, expect } from "@playwright/test";
import { PLAIN_URL } from "../support/urls.mjs";
import { openMixroom, expectMeter } from "../support/page.mjs";

test("without cross-origin isolation the app runs in message mode", async ({ page }) => {
  const errors = await openMixroom(page, PLAIN_URL);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId("audio-mode")).toHaveText("Message mode");

  await expectMeter(page, "Master", (db) => db > -30, "shows the mix");
  await expectMeter(page, "Pad", (db) => db > -40, "plays");
  await page.getByRole("button", { name: "Pad Mute" }).click();
  await expectMeter(page, "Pad", (db) => db <= -59, "falls silent when muted");
  await expectMeter(page, "Bass", (db) => db > -40, "keeps playing");
  await page.screenshot({ path: "artifacts/console-message-mode.png" });
  expect(errors).toEqual([]);
});
