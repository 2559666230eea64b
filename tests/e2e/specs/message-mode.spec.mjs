// Served without COOP/COEP the page is not cross-origin isolated: no SharedArrayBuffer. The same
// app must work with the blocks travelling over port.postMessage, and say so.
import { test, expect } from "@playwright/test";
import { PLAIN_URL } from "../support/urls.mjs";
import { openMixroom, expectMeter } from "../support/page.mjs";

test("without cross-origin isolation the app runs in message mode", async ({ page }) => {
  // Every message the page posts to the engine, by type and payload size.
  await page.addInitScript(() => {
    const post = MessagePort.prototype.postMessage;
    window.enginePosts = [];
    MessagePort.prototype.postMessage = function (message, transfer) {
      if (message && typeof message.type === "string") {
        const bytes = message.block ? message.block.byteLength
          : message.slots ? message.slots.byteLength + message.values.byteLength : 0;
        window.enginePosts.push({ type: message.type, bytes });
      }
      return post.call(this, message, transfer);
    };
  });
  const errors = await openMixroom(page, PLAIN_URL);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId("audio-mode")).toHaveText("Message mode");

  await expectMeter(page, "Master", (db) => db > -30, "shows the mix");
  await expectMeter(page, "Pad", (db) => db > -40, "plays");
  await page.evaluate(() => { window.enginePosts = []; });
  await page.getByRole("button", { name: "Pad Mute" }).click();
  await expectMeter(page, "Pad", (db) => db <= -59, "falls silent when muted");
  // The mute travelled as the one slot it changed, not as the whole parameter block.
  const posts = await page.evaluate(() =>
    window.enginePosts.filter((p) => p.type !== "taps" && p.type !== "recycle"));
  console.log(`posts for one mute: ${JSON.stringify(posts)}`);
  expect(posts.filter((p) => p.type === "params")).toEqual([]);
  expect(posts.some((p) => p.type === "slots" && p.bytes === 8)).toBe(true);
  await expectMeter(page, "Bass", (db) => db > -40, "keeps playing");
  await page.screenshot({ path: "artifacts/console-message-mode.png" });
  expect(errors).toEqual([]);
});
