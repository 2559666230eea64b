// Never losing a mix: a link opened in a new tab keeps the user's mix; the last mixes stay
// reachable in "Recent mixes" with their audio; tabs never overwrite each other or delete each
// other's audio; autosave runs when the page is left and retries after a failure; a damaged or
// newer mix is set aside (download or discard) without stopping the cleanup; a version 1 store
// migrates; another tab's newer or older Mixroom is handled.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom } from "../support/page.mjs";
import { sineWav } from "../support/wav.mjs";
import { linkPayload } from "../support/link.mjs";
import { importFile, mixALittle, mixOpened, peak, render, session, shareLink } from "../support/mix.mjs";
import {
  asideMixes, audioKeys, expectKept, keptMixes, putMix, putRaw, sameOriginBlank, tabMixId,
} from "../support/storage.mjs";

/** A share link of the demo mixed a little, made in a browser of its own (somebody else's). */
async function somebodysLink(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await mixALittle(page);
  const url = await shareLink(page);
  await context.close();
  return url;
}

/** The SHA-256 of the file a track of the page's mix plays. */
async function fileSha(page, trackName) {
  const track = (await session(page)).tracks.find((t) => t.name === trackName);
  return track.source.file.sha256;
}

test("a link opened in a new tab keeps my mix, and Back brings it with its audio", async ({ page, browser }) => {
  const link = await somebodysLink(browser);
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "Organ.wav", sineWav(3, 220));
  await expect(page.getByRole("region", { name: "Organ", exact: true })).toBeVisible();
  await mixOpened(page, 15);
  const mine = await session(page);
  await expectKept(page, 15);
  const organ = await fileSha(page, "Organ");
  await expect.poll(() => audioKeys(page)).toContain(organ);

  const tab = await page.context().newPage();
  await openMixroom(tab, link);
  await mixOpened(tab, 14);
  const opened = tab.getByTestId("notice").filter({ hasText: "Opened the shared mix" });
  await expect(opened).toContainText("Your previous mix is kept");
  await tab.getByRole("button", { name: "Back to my previous mix" }).click();
  await mixOpened(tab, 15);
  // My mix is open in the first tab, so this tab works on a copy of it.
  await expect(tab.getByTestId("notice").filter({ hasText: "is open in another tab" })).toBeVisible();
  expect(await session(tab)).toEqual(mine);
  await expect(tab.getByTestId("missing-files")).toHaveCount(0);
  await tab.getByRole("button", { name: "Organ Solo" }).click();
  const organPeak = peak(await render(tab, 48_000));
  console.log(`back to my mix in the new tab: Organ soloed, peak ${organPeak.toFixed(3)}`);
  expect(organPeak).toBeGreaterThan(0.1);

  // A plain reload of the first tab opens my mix, and its audio is still stored.
  await page.reload();
  await mixOpened(page, 15);
  expect(await session(page)).toEqual(mine);
  await expect(page.getByTestId("missing-files")).toHaveCount(0);
  expect(await audioKeys(page)).toContain(organ);
  expect(errors).toEqual([]);
});

test("the last mixes stay in Recent mixes, each reopened with its audio", async ({ page, browser }) => {
  const link = await somebodysLink(browser);
  const fragment = link.slice(link.indexOf("#"));
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "Bells.wav", sineWav(2, 880));
  await mixOpened(page, 15);
  const mine = await session(page);
  await expectKept(page, 15);
  // Eleven links opened one after another in the same tab: each replaces the one before.
  for (let i = 0; i < 11; i++) {
    await page.evaluate((hash) => { location.hash = hash; }, fragment);
    await expect(page.getByTestId("notice").filter({ hasText: "Opened the shared mix" })).toBeVisible();
    await mixOpened(page, 14);
    await expect.poll(async () => (await keptMixes(page)).length).toBe(i + 2);
  }
  await page.getByRole("button", { name: "Recent" }).click();
  const dialog = page.getByRole("dialog", { name: "Recent mixes" });
  await expect(dialog).toBeVisible();
  const items = dialog.getByTestId("recent-mix");
  await expect(items).toHaveCount(12);
  await expect(items.first()).toContainText("open in this tab");
  await expect(items.last()).toContainText("Demo song");
  await expect(items.last()).toContainText("15 tracks");
  await expect(items.first()).toContainText("14 tracks");
  console.log(`recent mixes: ${await items.count()} listed; oldest: ${(await items.last().textContent()).trim()}`);
  await page.screenshot({ path: "artifacts/recent-mixes.png" });
  const axe = await new AxeBuilder({ page }).include('[data-testid="recent-dialog"]').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The oldest comes back with its audio.
  await items.last().getByRole("button", { name: /^Open Demo song/ }).click();
  await expect(dialog).toBeHidden();
  await mixOpened(page, 15);
  expect(await session(page)).toEqual(mine);
  await expect(page.getByTestId("missing-files")).toHaveCount(0);
  await page.getByRole("button", { name: "Bells Solo" }).click();
  expect(peak(await render(page, 48_000))).toBeGreaterThan(0.1);
});

test("opening 25 links never pushes out my mix: it stays in Recent with its audio", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "Chimes.wav", sineWav(2, 660));
  await mixOpened(page, 15);
  const mine = await session(page);
  const myId = await tabMixId(page);
  await expectKept(page, 15);
  const chimes = await fileSha(page, "Chimes");
  await expect.poll(() => audioKeys(page)).toContain(chimes);
  // 25 different links, one after another, as a page elsewhere could send this window through.
  for (let i = 1; i <= 25; i++) {
    const payload = linkPayload({ tracks: [{ name: `Link ${i}`, source: { demo: "kick" } }] });
    await page.evaluate((hash) => { location.hash = hash; }, `#mix=${payload}`);
    await expect.poll(async () => (await session(page)).tracks.map((t) => t.name)).toEqual([`Link ${i}`]);
    await mixOpened(page, 1);
  }
  await expectKept(page, 1);
  // The reload tidies the storage: only links go, and only beyond the 20 latest.
  await page.reload();
  await mixOpened(page, 1);
  await expect.poll(async () => (await keptMixes(page)).length, { timeout: 10_000 }).toBe(21);
  const kept = await keptMixes(page);
  expect(kept.map((m) => m.id)).toContain(myId);
  expect(kept.filter((m) => m.untouched).length).toBe(20);
  expect(await audioKeys(page)).toContain(chimes);

  await page.getByRole("button", { name: "Recent" }).click();
  const dialog = page.getByRole("dialog", { name: "Recent mixes" });
  const items = dialog.getByTestId("recent-mix");
  await expect(items).toHaveCount(21);
  // The 20 links kept: this tab's, and 19 opened and left as they came.
  await expect(items.filter({ hasText: "opened, not changed" })).toHaveCount(19);
  await expect(items.first()).toContainText("open in this tab");
  await page.screenshot({ path: "artifacts/recent-after-25-links.png" });
  // Freeing space names what goes (the 19 links no tab has open) and asks first.
  await expect(dialog.getByText(/^Mixroom uses \d+\.\d [MG]B of the \d+\.\d [MG]B this browser lets it store\./)).toBeVisible();
  await dialog.getByRole("button", { name: "Free space: delete the 19 mixes opened and not changed" }).click();
  const asking = dialog.getByRole("group", { name: "Free space: delete the 19 mixes opened and not changed?" });
  await expect(asking).toContainText("Delete the 19 mixes you opened and did not change (“Shared mix” × 19), and the audio only they use, from this browser?");
  await asking.getByRole("button", { name: "Keep it" }).click();
  await expect(items).toHaveCount(21);
  await dialog.getByRole("button", { name: "Free space: delete the 19 mixes opened and not changed" }).click();
  await asking.getByRole("button", { name: "Delete them" }).click();
  await expect(items).toHaveCount(2);
  await expect(items.filter({ hasText: "opened, not changed" })).toHaveCount(0);
  expect(await audioKeys(page)).toContain(chimes);
  await page.screenshot({ path: "artifacts/recent-after-free-space.png" });
  await dialog.getByRole("button", { name: /^Open Demo song/ }).click();
  await mixOpened(page, 15);
  expect(await session(page)).toEqual(mine);
  await expect(page.getByTestId("missing-files")).toHaveCount(0);
  await page.getByRole("button", { name: "Chimes Solo" }).click();
  const level = peak(await render(page, 48_000));
  console.log(`after 25 links and a reload, my mix from Recent: Chimes soloed, peak ${level.toFixed(3)}`);
  expect(level).toBeGreaterThan(0.1);
});

test("a new tab opens the mix I last worked on, not a link I only looked at", async ({ page, browser }) => {
  const link = await somebodysLink(browser);
  const context = page.context();
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "Organ.wav", sineWav(3, 220));
  await mixOpened(page, 15);
  const mine = await session(page);
  await expectKept(page, 15);
  // The record is written first, the file after it: closing the tab before would lose it.
  const organ = await fileSha(page, "Organ");
  await expect.poll(() => audioKeys(page)).toContain(organ);
  await page.close();

  const tab = await context.newPage();
  await openMixroom(tab, link);
  await mixOpened(tab, 14);
  await expectKept(tab, 14);
  await tab.getByRole("button", { name: "Back to my previous mix" }).click();
  await mixOpened(tab, 15);
  expect(await session(tab)).toEqual(mine);
  await tab.close();

  const next = await context.newPage();
  await openMixroom(next, ISOLATED_URL);
  await mixOpened(next, 15);
  expect(await session(next)).toEqual(mine);
  await expect(next.getByTestId("missing-files")).toHaveCount(0);
});

test("two tabs keep two mixes, never overwrite each other, never delete each other's audio", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "A.wav", sineWav(2, 300));
  await mixOpened(page, 15);
  await expectKept(page, 15);
  const first = await session(page);

  // A second tab: the first tab's mix is busy, so it starts on the demo, and makes its own.
  const second = await page.context().newPage();
  await openMixroom(second, ISOLATED_URL);
  await mixOpened(second, 14);
  await importFile(second, "B.wav", sineWav(2, 500));
  await mixOpened(second, 15);
  await mixALittle(second);
  const other = await session(second);
  await expectKept(second, 15);
  expect(await tabMixId(second)).not.toBe(await tabMixId(page));
  const [a, b] = [await fileSha(page, "A"), await fileSha(second, "B")];

  // A third tab starts (and tidies the storage): both files stay.
  const third = await page.context().newPage();
  await openMixroom(third, ISOLATED_URL);
  await mixOpened(third, 14);
  await third.waitForTimeout(1000);
  const keys = await audioKeys(third);
  expect(keys).toContain(a);
  expect(keys).toContain(b);

  // Each tab's reload brings back its own mix.
  await page.reload();
  await mixOpened(page, 15);
  expect(await session(page)).toEqual(first);
  await second.reload();
  await mixOpened(second, 15);
  expect(await session(second)).toEqual(other);

  // A duplicated tab (its sessionStorage copied) works on a copy, not on the first tab's mix.
  const id = await tabMixId(page);
  const duplicate = await page.context().newPage();
  await duplicate.addInitScript((id) => sessionStorage.setItem("mixroom-mix", id), id);
  await openMixroom(duplicate, ISOLATED_URL);
  await mixOpened(duplicate, 15);
  await expect(duplicate.getByTestId("notice").filter({ hasText: "is open in another tab" })).toBeVisible();
  expect(await tabMixId(duplicate)).not.toBe(id);
  const kick = duplicate.getByRole("slider", { name: "Kick Fader" });
  await kick.focus();
  await kick.press("End");
  await expectKept(duplicate, 15);
  await page.reload();
  await mixOpened(page, 15);
  expect(await session(page)).toEqual(first);
});

test("autosave keeps a change made just before leaving, and retries a failed write", async ({ page }) => {
  await page.addInitScript(() => {
    window.persistCalls = 0;
    const persist = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => { window.persistCalls += 1; return persist(); };
  });
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  expect(await page.evaluate(() => window.persistCalls)).toBe(1);
  const kick = page.getByRole("slider", { name: "Kick Fader" });
  await kick.focus();
  await kick.press("PageDown");
  await expect(kick).toHaveAttribute("aria-valuetext", "−6.0 dB");
  await page.reload(); // at once: well within the 250 ms of the autosave loop
  await mixOpened(page, 14);
  await expect(page.getByRole("slider", { name: "Kick Fader" })).toHaveAttribute("aria-valuetext", "−6.0 dB");

  // The next three writes of the mix fail as a full quota does; the fourth works, with no
  // further change made.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    window.failedWrites = 0;
    IDBObjectStore.prototype.put = function (value, key) {
      if (this.name === "mixes" && window.failedWrites < 3) {
        window.failedWrites += 1;
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      return put.call(this, value, key);
    };
  });
  const bass = page.getByRole("slider", { name: "Bass Fader" });
  await bass.focus();
  await bass.press("PageDown");
  const notice = page.getByTestId("notice").filter({ hasText: "Your latest changes are not saved" });
  await expect(notice).toBeVisible();
  console.log(`failed autosave: ${await notice.textContent()}`);
  await expect(notice).toHaveCount(0, { timeout: 15_000 });
  expect(await page.evaluate(() => window.failedWrites)).toBe(3);
  const kept = await expectKept(page, 14);
  expect(JSON.parse(kept.session).tracks.find((t) => t.name === "Bass").params.gain_db).toBe(-6);

  // Hiding the page (switching tabs) saves at once too.
  await bass.press("PageDown");
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  });
  await expect
    .poll(async () => JSON.parse((await expectKept(page, 14)).session).tracks.find((t) => t.name === "Bass").params.gain_db)
    .toBe(-12);
});

test("a damaged or newer mix is set aside to download or discard, and the cleanup goes on", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await importFile(page, "Keep me.wav", sineWav(2, 400));
  await mixOpened(page, 15);
  const kept = await expectKept(page, 15);
  const sha = await fileSha(page, "Keep me");
  await expect.poll(() => audioKeys(page)).toContain(sha);
  await page.close();

  const tab = await sameOriginBlank(page.context(), ISOLATED_URL);
  // The mix damaged (cut in half; it still names its file), and a file nothing uses.
  const damaged = { ...kept, session: kept.session.slice(0, kept.session.indexOf(sha) + 70) };
  await putRaw(tab, "mixes", kept.id, JSON.stringify(damaged));
  const orphan = "f".repeat(64);
  await putRaw(tab, "audio", orphan, "not a real file");
  const newer = { id: "newer", name: "From the future", saved_at_ms: Date.now() - 1000, tracks: 1, session: JSON.stringify({ version: 99, tracks: [] }) };
  await putRaw(tab, "mixes", "newer", JSON.stringify(newer));

  await openMixroom(tab, ISOLATED_URL);
  await mixOpened(tab, 14); // the demo, as nothing else can be opened
  const notice = tab.getByTestId("notice").filter({ hasText: "could not be opened" });
  await expect(notice).toBeVisible();
  console.log(`damaged mix: ${await notice.textContent()}`);
  await expect(notice).toContainText("kept aside, untouched");
  await expect.poll(async () => (await asideMixes(tab)).map((a) => a.id)).toContain(kept.id);
  // The cleanup ran: the orphan is gone, the file the damaged mix names is kept.
  await expect.poll(() => audioKeys(tab)).not.toContain(orphan);
  expect(await audioKeys(tab)).toContain(sha);

  const download = tab.waitForEvent("download");
  await notice.getByRole("button", { name: "Download it" }).click();
  const file = await download;
  const text = await (await import("node:fs/promises")).readFile(await file.path(), "utf8");
  expect(text).toBe(damaged.session);

  // The newer one: opened from Recent mixes, set aside with its reason.
  await tab.getByRole("button", { name: "Recent" }).click();
  const dialog = tab.getByRole("dialog", { name: "Recent mixes" });
  await dialog.getByRole("button", { name: /^Open From the future/ }).click();
  const newerNotice = tab.getByTestId("notice").filter({ hasText: "From the future" });
  await expect(newerNotice).toContainText("newer Mixroom");
  await tab.getByRole("button", { name: "Recent" }).click();
  await expect(dialog.getByTestId("aside-mix")).toHaveCount(2);
  await tab.screenshot({ path: "artifacts/recent-set-aside.png" });

  // Discarding asks first; then the mix and (at the next start) its file are gone.
  const damagedItem = dialog.getByTestId("aside-mix").filter({ hasText: "Demo song" });
  await damagedItem.getByRole("button", { name: "Discard" }).click();
  await damagedItem.getByRole("button", { name: "Discard for good" }).click();
  await expect(dialog.getByTestId("aside-mix")).toHaveCount(1);
  await tab.keyboard.press("Escape");
  await tab.reload();
  await mixOpened(tab, 14);
  await expect.poll(() => audioKeys(tab)).not.toContain(sha);
});

test("a version 1 store migrates: its mix opens, its damaged mix is set aside", async ({ page }) => {
  const blank = await sameOriginBlank(page.context(), ISOLATED_URL);
  const v1 = JSON.stringify({
    version: 1,
    tracks: [
      { name: "Old kick", source: { demo: "kick" }, params: { gain_db: -3 } },
      { name: "Old bass", source: { demo: "bass" }, params: { pan: 0.5 } },
    ],
    master: { params: { gain_db: -1 } },
  });
  await blank.evaluate((v1) => new Promise((resolve, reject) => {
    const open = indexedDB.open("mixroom", 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("sessions");
      open.result.createObjectStore("audio");
    };
    open.onsuccess = () => {
      const tx = open.result.transaction("sessions", "readwrite");
      tx.objectStore("sessions").put(v1, "current");
      tx.objectStore("sessions").put('{"version": 2, "tracks": [', "damaged");
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
    open.onerror = () => reject(open.error);
  }), v1);
  await blank.close();
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 2);
  await expect(page.getByRole("slider", { name: "Old kick Fader" })).toHaveAttribute("aria-valuetext", "−3.0 dB");
  const migrated = await session(page);
  expect(migrated.version).toBe(2);
  expect(migrated.tracks.map((t) => t.name)).toEqual(["Old kick", "Old bass"]);
  expect((await asideMixes(page)).map((a) => a.id)).toEqual(["v1-damaged"]);
});

test("a newer Mixroom in another tab stops this tab's saving with a message; an older one blocks until closed", async ({ page, browser }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  const other = await sameOriginBlank(page.context(), ISOLATED_URL);
  const upgraded = await other.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("mixroom", 3);
    open.onsuccess = () => { open.result.close(); resolve("upgraded"); };
    open.onblocked = () => resolve("blocked");
    open.onerror = () => resolve(String(open.error));
  }));
  expect(upgraded).toBe("upgraded");
  const notice = page.getByTestId("notice").filter({ hasText: "a newer Mixroom opened in another tab" });
  await expect(notice).toBeVisible();
  console.log(`newer version elsewhere: ${await notice.textContent()}`);
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible(); // the mix plays on

  // A fresh browser where an older Mixroom holds version 1 open: this one waits and says so.
  const context = await browser.newContext();
  const old = await sameOriginBlank(context, ISOLATED_URL);
  await old.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("mixroom", 1);
    open.onsuccess = () => { window.oldDb = open.result; resolve(); };
  }));
  const fresh = await context.newPage();
  await fresh.goto(ISOLATED_URL);
  const waiting = fresh.getByTestId("notice").filter({ hasText: "Another tab runs an older Mixroom" });
  await expect(waiting).toBeVisible({ timeout: 20_000 });
  await old.evaluate(() => window.oldDb.close());
  await expect(waiting).toHaveCount(0);
  await mixOpened(fresh, 14);
  await context.close();
});
