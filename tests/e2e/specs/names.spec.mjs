// A file's name is any text a person writes: a Persian name joined by a ZWNJ, an emoji built
// with ZWJs, a name with a right-to-left mark. Each track keeps its name and its stored audio
// through a reload, a share link opens with it, and the page shows it isolated.
import { test, expect } from "@playwright/test";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom } from "../support/page.mjs";
import { sineWav } from "../support/wav.mjs";
import { importFile, mixOpened, peak, render, session, shareLink } from "../support/mix.mjs";
import { audioKeys, expectKept } from "../support/storage.mjs";

const FILES = ["کتاب\u200Cها.wav", "👩\u200D🎤 vox.wav", "\u200FLead.wav"];
const NAMES = FILES.map((f) => f.replace(/\.wav$/, ""));
/** Where the demo's 14 tracks end: the imported ones follow. */
const FIRST = 14;

test("tracks named in any script keep their audio through a reload, and a link opens with them", async ({ page, browser }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, FIRST);
  for (const [i, file] of FILES.entries()) {
    await importFile(page, file, sineWav(2, 300 + 200 * i));
    await mixOpened(page, FIRST + i + 1);
  }
  const mine = await session(page);
  expect(mine.tracks.slice(FIRST).map((t) => t.name)).toEqual(NAMES);
  expect(mine.tracks.slice(FIRST).map((t) => t.source.file.path)).toEqual(FILES);
  await expectKept(page, FIRST + 3);
  // Shown isolated: the right-to-left names cannot reorder the text beside them.
  const heading = (i) => page.getByTestId(`strip-${FIRST + i}`).locator(".strip-name");
  await expect(heading(0)).toHaveText(`\u2068${NAMES[0]}\u2069`);
  await expect(heading(1)).toHaveText(NAMES[1]);
  await expect(heading(2)).toHaveText(`\u2068${NAMES[2]}\u2069`);
  await page.getByTestId(`strip-${FIRST + 2}`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "artifacts/names-in-any-script.png" });

  await page.reload();
  await mixOpened(page, FIRST + 3);
  expect(await session(page)).toEqual(mine);
  await expect(page.getByTestId("missing-files")).toHaveCount(0);
  await expect(page.getByTestId("notice").filter({ hasText: "left out" })).toHaveCount(0);
  const keys = await audioKeys(page);
  for (const track of mine.tracks.slice(FIRST)) expect(keys).toContain(track.source.file.sha256);
  for (const [i, name] of NAMES.entries()) {
    const solo = page.getByTestId(`strip-${FIRST + i}`).getByRole("button", { name: /Solo$/ });
    await solo.click();
    const level = peak(await render(page, 48_000));
    console.log(`after a reload, “${name}” soloed: peak ${level.toFixed(3)}`);
    expect(level).toBeGreaterThan(0.1);
    await solo.click();
  }

  // Somebody else opens a link to the mix: the tracks are there, asking for their files.
  const link = await shareLink(page);
  const context = await browser.newContext();
  const other = await context.newPage();
  await openMixroom(other, link);
  await mixOpened(other, FIRST + 3);
  expect((await session(other)).tracks.slice(FIRST).map((t) => t.name)).toEqual(NAMES);
  await expect(other.getByTestId("missing-files")).toContainText("Lead");
  await context.close();
  expect(errors).toEqual([]);
});
