// A panic aborts the engine's wasm instance. The page notices, says so, and restarts the engine
// with the current mix and where the playhead was.
import { test, expect } from "@playwright/test";
import { ISOLATED_URL, PLAIN_URL } from "../support/urls.mjs";
import { openMixroom, expectMeter, meterDb } from "../support/page.mjs";

async function crash(page) {
  await page.evaluate(() => window.wasmBindings.mixroom_crash_engine());
}

for (const [url, mode] of [[ISOLATED_URL, "shared memory"], [PLAIN_URL, "message mode"]]) {
  test(`a dead engine is restarted with the current mix (${mode})`, async ({ page }) => {
    await openMixroom(page, url);
    await expectMeter(page, "Master", (db) => db > -30, "shows the mix");
    await page.getByRole("button", { name: "Pad Mute" }).click();
    await expectMeter(page, "Pad", (db) => db <= -59, "falls silent when muted");

    await crash(page);
    const alert = page.getByRole("alert");
    await expect(alert).toContainText("restarted with your mix");
    await expect(page.getByTestId("engine-status")).toHaveAttribute("data-state", "restarted");
    await expectMeter(page, "Master", (db) => db > -30, "sounds again after the restart");
    await expectMeter(page, "Bass", (db) => db > -40, "plays after the restart");
    for (let i = 0; i < 5; i++) {
      expect(await meterDb(page, "Pad"), "Pad is still muted").toBeLessThanOrEqual(-59);
      await page.waitForTimeout(200);
    }

    // Paused, the restarted engine keeps the playhead exactly.
    await page.getByRole("button", { name: "Pause" }).click();
    await page.waitForTimeout(300);
    const playhead = await page.getByTestId("playhead").textContent();
    await crash(page);
    await expect(alert).toContainText("2 restarts so far");
    await page.waitForTimeout(500);
    expect(await page.getByTestId("playhead").textContent()).toBe(playhead);
    await page.getByRole("button", { name: "Play" }).click();
    await expectMeter(page, "Master", (db) => db > -30, "plays on from there");
  });
}
