// Everyone can use the console: axe-core finds no violations (names, roles, contrast); every
// fader and knob is an ARIA slider whose value text carries its unit; the keyboard reaches the
// controls and the focused one is visibly marked.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { ISOLATED_URL } from "../support/urls.mjs";
import { sineWav } from "../support/wav.mjs";
import { openMixroom } from "../support/page.mjs";

test("axe-core finds no accessibility violations on the console", async ({ page }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  for (const tab of ["EQ", "Dynamics", "Sends"]) {
    await page.getByRole("tab", { name: tab }).click();
    const results = await new AxeBuilder({ page }).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.help}: ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
    const contrast = results.passes.find((r) => r.id === "color-contrast");
    console.log(`axe, ${tab} tab: ${results.passes.length} rules pass (colour contrast on ` +
      `${contrast?.nodes.length ?? 0} elements), ${results.violations.length} violated, ` +
      `${results.incomplete.length} for a person to check (${results.incomplete.map((r) => r.id).join(", ")})` +
      (summary.length ? `\n  ${summary.join("\n  ")}` : ""));
    expect(summary).toEqual([]);
  }
  expect(errors).toEqual([]);
});

test("every slider says its value with a unit, and keyboard focus is visible", async ({ page }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  const sliders = await page.getByRole("slider").evaluateAll((nodes) =>
    nodes.map((n) => ({
      name: n.getAttribute("aria-label"),
      text: n.getAttribute("aria-valuetext"),
      now: n.getAttribute("aria-valuenow"),
      min: n.getAttribute("aria-valuemin"),
      max: n.getAttribute("aria-valuemax"),
      focusable: n.tabIndex >= 0,
    })),
  );
  console.log(`${sliders.length} sliders; e.g. ${sliders.slice(0, 4).map((s) => `${s.name} = ${s.text}`).join("; ")}`);
  expect(sliders.length).toBeGreaterThan(14 * 8);
  // "−6.0 dB", "2.50 kHz", "L 30%", "C", "Q 0.71", "4.0:1", "120.0 BPM", "off" (a filter).
  const unit = /^(Q \d+\.\d\d|C)$|( dB| dBTP| Hz| kHz|%| ms| s|:1| BPM|^off)$/;
  const bad = sliders.filter((s) => !s.name || !unit.test(s.text ?? "") || s.now === null || s.min === null || s.max === null || !s.focusable);
  expect(bad).toEqual([]);

  // Tab walks the controls; the focused one has an outline.
  await page.getByRole("button", { name: "Pause" }).focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { name: el.getAttribute("aria-label") ?? el.textContent, outline: style.outlineStyle, width: style.outlineWidth };
  });
  console.log(`after 12 Tabs: focus on "${focused.name}", outline ${focused.outline} ${focused.width}`);
  expect(focused.outline).not.toBe("none");
  expect(parseFloat(focused.width)).toBeGreaterThanOrEqual(2);
  expect(errors).toEqual([]);
});

test("files picked with the Import button or dropped on the page become tracks", async ({ page }) => {
  const errors = await openMixroom(page, ISOLATED_URL);
  // Picked: a 2 s 16-bit stereo WAV from disk through the file chooser.
  const wav = sineWav(2, 330, { amplitude: 12_000, invertRight: false });
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import audio files" }).click();
  await (await chooser).setFiles({ name: "Vocal take.wav", mimeType: "audio/wav", buffer: wav });
  await expect(page.getByRole("region", { name: "Vocal take", exact: true })).toBeVisible();
  await expect(page.getByRole("slider", { name: "Vocal take Fader" })).toHaveAttribute("aria-valuetext", "0.0 dB");

  // Dropped: one good file and one that is not audio. The bad one gets a message; the good one
  // a track; nothing else changes.
  await page.evaluate(async (bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], "Room tone.wav", { type: "audio/wav" }));
    transfer.items.add(new File(["not audio at all"], "notes.txt", { type: "text/plain" }));
    for (const type of ["dragenter", "dragover", "drop"]) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
  }, [...wav]);
  await expect(page.getByRole("region", { name: "Room tone", exact: true })).toBeVisible();
  await expect(page.getByTestId("import-error")).toContainText("Could not import “notes.txt”");
  await expect(page.getByRole("region", { name: /^notes/ })).toHaveCount(0);

  // One undo takes the whole drop back; the picked file stays.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Control+z");
  await expect(page.getByRole("region", { name: "Room tone", exact: true })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Vocal take", exact: true })).toBeVisible();
  await page.getByTestId("import-error").getByRole("button", { name: "Dismiss" }).click();
  await expect(page.getByTestId("import-error")).toHaveCount(0);
  expect(errors).toEqual([]);
});
