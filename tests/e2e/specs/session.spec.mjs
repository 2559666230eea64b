// Sessions that are never lost and links that reproduce a mix exactly: a user mixes, shares a
// link, and the other side (a fresh browser profile) hears exactly the same samples; autosave
// brings the mix back after a reload, imported audio included; bad links and a damaged or
// newer autosave get a clear message and lose nothing; a full storage quota is reported; a
// project bundle moves the whole project to another profile.
import { test, expect } from "@playwright/test";
import { ISOLATED_URL, PLAIN_URL } from "../support/urls.mjs";
import { openMixroom } from "../support/page.mjs";
import { sineWav } from "../support/wav.mjs";
import { importFile, maxDifference, mixALittle, mixOpened, peak, render, session, shareLink } from "../support/mix.mjs";
import { putMix } from "../support/storage.mjs";

for (const [mode, origin] of [["shared memory", ISOLATED_URL], ["message mode", PLAIN_URL]]) {
test(`a share link reproduces the mix exactly in a fresh browser (${mode})`, async ({ page, browser }) => {
  const errors = await openMixroom(page, origin);
  await mixOpened(page, 14);
  await mixALittle(page);
  const url = await shareLink(page, mode === "shared memory");
  const fragment = url.slice(url.indexOf("#"));
  console.log(`${mode}: share link of the mixed demo: ${url.length} characters (fragment ${fragment.length})`);
  expect(url.length).toBeLessThan(2048);
  const frames = 4 * 48_000;
  const before = await render(page, frames);
  const sent = await session(page);

  const other = await browser.newContext();
  const recipient = await other.newPage();
  const recipientErrors = await openMixroom(recipient, url);
  await mixOpened(recipient, 14);
  await expect(recipient.getByTestId("notice").filter({ hasText: "Opened the shared mix" })).toBeVisible();
  if (mode === "shared memory") await recipient.screenshot({ path: "artifacts/link-opened.png" });
  expect(await recipient.evaluate(() => location.hash)).toBe("");
  expect(await session(recipient)).toEqual(sent);
  await expect(recipient.getByRole("slider", { name: "Kick Fader" })).toHaveAttribute("aria-valuetext", "−6.0 dB");
  const after = await render(recipient, frames);
  const difference = maxDifference(before, after);
  console.log(`${mode}: share link: render before vs after over ${frames} frames x 2: max difference ${difference}, peak ${peak(before).toFixed(3)}`);
  expect(peak(before)).toBeGreaterThan(0.05);
  expect(difference).toBe(0);
  // A link pasted into the address bar of a running page opens too.
  await page.evaluate((hash) => { location.hash = hash; }, fragment);
  await expect(page.getByTestId("notice").filter({ hasText: "Opened the shared mix" })).toBeVisible();
  await mixOpened(page, 14);
  expect(await session(page)).toEqual(sent);
  expect(errors).toEqual([]);
  expect(recipientErrors).toEqual([]);
  await other.close();
});
}

test("autosave brings the mix back after a reload, imported audio included", async ({ page }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await mixALittle(page);
  await importFile(page, "Organ.wav", sineWav(3, 220));
  await expect(page.getByRole("region", { name: "Organ", exact: true })).toBeVisible();
  const organ = page.getByRole("slider", { name: "Organ Fader" });
  await organ.focus();
  for (let i = 0; i < 4; i++) await organ.press("ArrowDown");
  await expect(organ).toHaveAttribute("aria-valuetext", "−2.0 dB");
  const saved = await session(page);
  await page.waitForTimeout(800); // autosave runs within 250 ms of a change
  const before = await render(page, 2 * 48_000);

  await page.reload();
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible({ timeout: 20_000 });
  await mixOpened(page, 15);
  expect(await session(page)).toEqual(saved);
  await expect(page.getByRole("slider", { name: "Organ Fader" })).toHaveAttribute("aria-valuetext", "−2.0 dB");
  await expect(page.getByTestId("missing-files")).toHaveCount(0);
  const after = await render(page, 2 * 48_000);
  const difference = maxDifference(before, after);
  console.log(`autosave: render before vs after reload: max difference ${difference}`);
  expect(difference).toBe(0);

  // A crash of the tab: one more change, the renderer killed, the page opened again.
  const kick = page.getByRole("slider", { name: "Kick Fader" });
  await kick.focus();
  await kick.press("End");
  await expect(kick).toHaveAttribute("aria-valuetext", "+12.0 dB");
  const changed = await session(page);
  await page.waitForTimeout(800);
  const crashed = page.waitForEvent("crash");
  page.goto("chrome://crash").catch(() => {});
  await crashed;
  const again = await page.context().newPage();
  await openMixroom(again, ISOLATED_URL);
  await mixOpened(again, 15);
  expect(await session(again)).toEqual(changed);
  console.log("autosave: after a crash of the tab the mix came back with its last change");
  expect(errors).toEqual([]);
});

test("a broken, cut or tampered link gets a clear message and the mix stays", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await mixALittle(page);
  const url = await shareLink(page);
  const mine = await session(page);
  await page.waitForTimeout(800);
  const at = url.indexOf("#mix=") + 5;
  const payload = url.slice(at);
  const flip = (s, i) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  const cases = {
    garbage: "#mix=this is not a link!",
    cut: "#mix=" + payload.slice(0, Math.floor(payload.length / 2)),
    tampered: "#mix=" + flip(payload, Math.floor(payload.length * 0.6)),
    empty: "#mix=",
  };
  for (const [what, hash] of Object.entries(cases)) {
    await page.goto(ISOLATED_URL + hash);
    await expect(page.getByRole("button", { name: "Pause" })).toBeVisible({ timeout: 20_000 });
    await mixOpened(page, 14);
    const notice = page.getByTestId("notice").filter({ hasText: "This link could not be opened" });
    await expect(notice).toBeVisible();
    console.log(`${what} link: ${await notice.textContent()}`);
    await expect(notice).toContainText("Your mix is unchanged");
    expect(await session(page)).toEqual(mine);
  }
});

test("a link with local files asks for them, plays the rest, and takes them when dropped", async ({ page, browser }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  const wav = sineWav(2, 330);
  await importFile(page, "Vocal.wav", wav);
  await expect(page.getByRole("region", { name: "Vocal", exact: true })).toBeVisible();
  const url = await shareLink(page);
  const sent = await session(page);
  const frames = 2 * 48_000;
  const before = await render(page, frames);

  const other = await browser.newContext();
  const recipient = await other.newPage();
  await openMixroom(recipient, url);
  await mixOpened(recipient, 15);
  const missing = recipient.getByTestId("missing-files");
  await expect(missing).toContainText("“Vocal.wav”");
  expect(peak(await render(recipient, frames))).toBeGreaterThan(0.05); // the rest plays

  // A different file with the same name is not taken for it; the right one is, by content.
  const drop = (name, bytes) =>
    recipient.evaluate(async ([name, bytes]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "audio/wav" }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    }, [name, [...bytes]]);
  await drop("my vocal take.wav", wav);
  await expect(missing).toHaveCount(0);
  await mixOpened(recipient, 15);
  expect(await session(recipient)).toEqual({
    ...sent,
    tracks: sent.tracks.map((t) => (t.name === "Vocal" ? { ...t, source: { file: { ...t.source.file, path: "my vocal take.wav" } } } : t)),
  });
  const difference = maxDifference(before, await render(recipient, frames));
  console.log(`local file matched by hash: render difference ${difference}`);
  expect(difference).toBe(0);
  await other.close();
});

test("a full storage quota is reported and the mix plays on", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  // Chromium's DevTools quota override (Storage.overrideQuotaForOrigin) does not take effect in
  // this headless build, so the browser's answer to a full quota is played back: every write of
  // audio fails as IndexedDB fails when the quota is used up.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      if (this.name === "audio") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return put.call(this, value, key);
    };
  });
  await importFile(page, "Big.wav", sineWav(4, 110));
  await expect(page.getByRole("region", { name: "Big", exact: true })).toBeVisible();
  const notice = page.getByTestId("notice").filter({ hasText: "“Big.wav” is not kept in this browser" });
  await expect(notice).toBeVisible({ timeout: 10_000 });
  console.log(`quota: ${await notice.textContent()}`);
  await expect(notice).toContainText("full");
  expect(peak(await render(page, 48_000))).toBeGreaterThan(0.05);
});

test("a project bundle carries the mix and its audio to another browser", async ({ page, browser }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await mixALittle(page);
  await importFile(page, "Strings.wav", sineWav(3, 440));
  await expect(page.getByRole("region", { name: "Strings", exact: true })).toBeVisible();
  const frames = 2 * 48_000;
  const before = await render(page, frames);
  const sent = await session(page);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Save" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.mixroom$/);
  const path = await file.path();

  const other = await browser.newContext();
  const recipient = await other.newPage();
  await openMixroom(recipient, ISOLATED_URL);
  await mixOpened(recipient, 14);
  await mixALittle(recipient); // the recipient's own mix
  const own = await session(recipient);
  const picker = recipient.waitForEvent("filechooser");
  await recipient.getByRole("button", { name: "Open", exact: true }).click();
  await (await picker).setFiles(path);
  await expect(recipient.getByTestId("notice").filter({ hasText: "Opened the project" })).toBeVisible({ timeout: 20_000 });
  await mixOpened(recipient, 15);
  const opened = await session(recipient);
  expect(opened.tracks.map((t) => t.name)).toEqual(sent.tracks.map((t) => t.name));
  const difference = maxDifference(before, await render(recipient, frames));
  console.log(`bundle: render difference ${difference}`);
  expect(difference).toBe(0);

  // The user's own mix in that browser is kept, and comes back.
  await recipient.getByRole("button", { name: "Back to my previous mix" }).click();
  await mixOpened(recipient, 14);
  expect(await session(recipient)).toEqual(own);

  // A damaged bundle changes nothing.
  const picker2 = recipient.waitForEvent("filechooser");
  await recipient.getByRole("button", { name: "Open", exact: true }).click();
  await (await picker2).setFiles({ name: "broken.mixroom", mimeType: "application/zip", buffer: Buffer.from("PK\u0003\u0004 not really a zip") });
  const notice = recipient.getByTestId("notice").filter({ hasText: "“broken.mixroom” could not be opened" });
  await expect(notice).toBeVisible();
  console.log(`damaged bundle: ${await notice.textContent()}`);
  await mixOpened(recipient, 14);
  await other.close();
});

test("audio by URL is fetched with CORS, and a failing URL is explained while the rest plays", async ({ page }) => {
  // A web server with CORS (played by Playwright's router), one that answers 404, and a host
  // that does not exist.
  await page.context().route("https://audio.example/**", (route) => {
    const cors = { "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin" };
    if (route.request().url().endsWith("/tone.wav")) {
      route.fulfill({ status: 200, headers: { ...cors, "Content-Type": "audio/wav" }, body: sineWav(2, 550) });
    } else {
      route.fulfill({ status: 404, headers: cors, body: "not found" });
    }
  });
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  const json = JSON.stringify({
    version: 2,
    tracks: [
      { name: "Web tone", source: { url: "https://audio.example/stems/tone.wav" }, params: { gain_db: -3 } },
      { name: "Gone", source: { url: "https://audio.example/stems/gone.wav" } },
      { name: "Nowhere", source: { url: "https://nowhere.invalid/x.wav" } },
      { name: "Kick", source: { demo: "kick" } },
    ],
  });
  // Kept as the newest mix in this browser: a new tab opens it.
  // Agreed to before (a kept mix does not ask again).
  const allowedHosts = ["audio.example", "nowhere.invalid"];
  await putMix(page, { id: "web-mix", name: "Web mix", session: json, savedAtMs: Date.now() + 60_000, allowedHosts });
  const tab = await page.context().newPage();
  await openMixroom(tab, ISOLATED_URL);
  await mixOpened(tab, 4);
  const gone = tab.getByTestId("notice").filter({ hasText: "Track “Gone”" });
  const nowhere = tab.getByTestId("notice").filter({ hasText: "Track “Nowhere”" });
  await expect(gone).toContainText("404");
  await expect(nowhere).toContainText("could not be fetched from https://nowhere.invalid/x.wav");
  console.log(`URL 404: ${await gone.textContent()}`);
  console.log(`URL unreachable: ${await nowhere.textContent()}`);
  const mix = await session(tab);
  expect(mix.tracks[0].source).toEqual({ url: "https://audio.example/stems/tone.wav" });
  // The fetched track plays: solo it and render.
  const solo = tab.getByRole("button", { name: "Web tone Solo" });
  await solo.click();
  const soloed = await render(tab, 48_000);
  console.log(`URL track soloed: peak ${peak(soloed).toFixed(3)}`);
  expect(peak(soloed)).toBeGreaterThan(0.05);
});

test("a track added from a URL travels in the share link as its URL", async ({ page, browser }) => {
  const serve = (context) =>
    context.route("https://audio.example/**", (route) =>
      route.fulfill({
        status: 200,
        headers: { "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin", "Content-Type": "audio/wav" },
        body: sineWav(2, 660),
      }),
    );
  await serve(page.context());
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await page.getByRole("button", { name: "+ URL" }).click();
  const address = page.getByRole("textbox", { name: "Audio file address" });
  await expect(address).toBeFocused();
  await page.screenshot({ path: "artifacts/add-url.png" });
  await address.fill("https://audio.example/takes/violin.wav");
  await address.press("Enter");
  await expect(page.getByRole("region", { name: "violin", exact: true })).toBeVisible();
  await mixOpened(page, 15);
  const mine = await session(page);
  expect(mine.tracks[14].source).toEqual({ url: "https://audio.example/takes/violin.wav" });
  const url = await shareLink(page);
  const frames = 2 * 48_000;
  const before = await render(page, frames);

  const other = await browser.newContext();
  await serve(other);
  const recipient = await other.newPage();
  await openMixroom(recipient, url);
  await mixOpened(recipient, 15);
  // A link from somebody else: nothing is fetched before the recipient agrees.
  await recipient.getByRole("button", { name: "Load audio from audio.example" }).click();
  await expect(recipient.getByTestId("notice").filter({ hasText: "audio.example" })).toHaveCount(0);
  await expect(recipient.getByTestId("missing-files")).toHaveCount(0);
  const difference = maxDifference(before, await render(recipient, frames));
  console.log(`URL track through a link: render difference ${difference}`);
  expect(difference).toBe(0);
  await other.close();
});
