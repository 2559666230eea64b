// Helpers for the specs about keeping and sharing mixes: act as a user (import, mix a little,
// share) and read the page's mix back (its session, an offline render) through the e2e hooks.
import { expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Imports `buffer` as the file `name` through the Import button's file chooser. */
export async function importFile(page, name, buffer) {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import audio files" }).click();
  await (await chooser).setFiles({ name, mimeType: "audio/wav", buffer });
}

/** Waits until the page has opened its mix (link, autosave or demo) with `tracks` tracks. */
export async function mixOpened(page, tracks) {
  await expect
    .poll(() => page.evaluate(() => window.wasmBindings?.mixroom_project_state?.() ?? { opening: true }), {
      timeout: 20_000,
    })
    .toMatchObject({ opening: false, tracks });
}

export const session = (page) => page.evaluate(() => JSON.parse(window.wasmBindings.mixroom_session_json()));

/** Renders the first `frames` frames of the page's mix offline: [left, right] as arrays. */
export async function render(page, frames) {
  return page.evaluate(async (frames) => {
    const r = await window.wasmBindings.mixroom_render_current(frames);
    return [Array.from(r.left), Array.from(r.right)];
  }, frames);
}

export function maxDifference(a, b) {
  let worst = 0;
  for (let c = 0; c < 2; c++) {
    expect(a[c].length).toBe(b[c].length);
    for (let i = 0; i < a[c].length; i++) worst = Math.max(worst, Math.abs(a[c][i] - b[c][i]));
  }
  return worst;
}

export const peak = (channels) => Math.max(...channels.map((c) => c.reduce((m, x) => Math.max(m, Math.abs(x)), 0)));

/** Mixes a little by keyboard: the kick down 6 dB, the bass panned, an EQ boost on the pad. */
export async function mixALittle(page) {
  const kick = page.getByRole("slider", { name: "Kick Fader" });
  await kick.focus();
  for (let i = 0; i < 12; i++) await kick.press("ArrowDown");
  await expect(kick).toHaveAttribute("aria-valuetext", "−6.0 dB");
  const pan = page.getByRole("slider", { name: "Bass Pan" });
  await pan.focus();
  for (let i = 0; i < 5; i++) await pan.press("ArrowLeft");
  await page.getByRole("region", { name: "Pad", exact: true }).click({ position: { x: 30, y: 12 } });
  const gain = page.getByRole("slider", { name: "Pad EQ 3 gain" });
  await gain.focus();
  await gain.press("PageUp");
}

/** Opens the share dialog and returns the link it shows (with `look`, screenshots and checks it). */
export async function shareLink(page, look = false) {
  await page.getByRole("button", { name: "Share" }).click();
  const dialog = page.getByRole("dialog", { name: "Share this mix" });
  await expect(dialog).toBeVisible();
  const url = await dialog.getByTestId("share-link").inputValue();
  if (look) {
    await expect(dialog.getByTestId("share-link")).toBeFocused();
    await page.screenshot({ path: "artifacts/share-dialog.png" });
    const axe = await new AxeBuilder({ page }).include('[data-testid="share-dialog"]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Share" })).toBeFocused();
  return url;
}
