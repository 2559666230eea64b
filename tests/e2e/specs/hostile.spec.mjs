// Nothing gets in: a link written by a stranger cannot run script, restyle the page or fetch
// from anywhere by itself; each bad field is refused by name and the rest of the mix opens; the
// page's Content-Security-Policy refuses inline script, style attributes and foreign frames.
import { test, expect } from "@playwright/test";
import { ISOLATED_URL } from "../support/urls.mjs";
import { openMixroom } from "../support/page.mjs";
import { mixOpened, session } from "../support/mix.mjs";
import { linkPayload } from "../support/link.mjs";

const EVIL = "https://evil.example";

/** Counts what the page tries against `EVIL`, the dialogs it opens and the CSP violations. */
async function watch(page) {
  const seen = { requests: [], dialogs: [] };
  await page.context().route(`${EVIL}/**`, (route) => {
    seen.requests.push(route.request().url());
    route.abort();
  });
  page.on("dialog", (dialog) => {
    seen.dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective));
  });
  return seen;
}

test("a hostile link can neither run script nor restyle the page; its bad fields are refused by name", async ({ page }) => {
  const seen = await watch(page);
  const payload = linkPayload({
    tracks: [
      {
        name: '<img src=x onerror="window.pwned=1">',
        source: { demo: "kick" },
        color: `red; background: url(${EVIL}/bg.png) fixed; position: fixed; inset: 0`,
      },
      { name: "Vox", source: { url: "javascript:window.pwned=2" } },
      { name: "Bass", source: { demo: "bass" }, color: "#123456" },
      { name: "x".repeat(5000), source: { demo: "snare" } },
    ],
    returns: [{ name: "Verb\u202Egnp.exe", color: "expression(alert(1))" }],
    master: [[0, Number.NaN]],
    loop: { on: true, startS: 1e300, endS: -5 },
  });
  const errors = await openMixroom(page, `${ISOLATED_URL}#mix=${payload}`);
  await mixOpened(page, 3);
  const notice = page.getByTestId("notice").filter({ hasText: "were refused" });
  await expect(notice).toBeVisible();
  const text = await notice.textContent();
  console.log(`hostile link: ${text}`);
  for (const field of ["track 1", "colour", "track 2 “Vox”, audio", "track 4, name", "the master", "the loop start", "the loop end"]) {
    expect(text).toContain(field);
  }
  expect(text.length).toBeLessThan(2000);
  await page.screenshot({ path: "artifacts/hostile-link.png" });

  // The rest of the mix as it came: names are text, the valid colour is kept.
  const mix = await session(page);
  expect(mix.tracks.map((t) => t.name)).toEqual(['<img src=x onerror="window.pwned=1">', "Bass", "Track 4"]);
  expect(mix.tracks[1].color).toBe("#123456");
  // A forced override in a name is kept as written and shown escaped: it reorders nothing.
  expect(mix.returns[0].name).toBe("Verb\u202Egnp.exe");
  expect(text).not.toContain("return 1, name");
  await expect(page.getByRole("region", { name: "Verb\\u{202e}gnp.exe", exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: '<img src=x onerror="window.pwned=1">', exact: true })).toBeVisible();
  expect(await page.locator("img").count()).toBe(0);
  const looks = await page.evaluate(() => {
    const style = getComputedStyle(document.querySelector("section.strip"));
    return {
      background: style.backgroundImage,
      color: style.getPropertyValue("--strip-color").trim(),
      body: getComputedStyle(document.body).backgroundImage,
    };
  });
  expect(looks.background).toBe("none");
  expect(looks.color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(looks.body).toBe("none");

  // What the policy itself refuses, whatever gets into the page.
  await page.evaluate((evil) => {
    const script = document.createElement("script");
    script.textContent = "window.pwned = 3";
    document.body.append(script);
    document.body.setAttribute("style", `background: url(${evil}/x.png)`);
    const frame = document.createElement("iframe");
    frame.src = `${evil}/frame`;
    document.body.append(frame);
    const button = document.createElement("button");
    button.setAttribute("onclick", "window.pwned = 4");
    document.body.append(button);
    button.click();
  }, EVIL);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundImage)).toBe("none");
  const violations = await page.evaluate(() => window.violations);
  console.log(`CSP violations reported: ${violations.join(", ")}`);
  for (const directive of ["script-src-elem", "style-src-attr", "frame-src", "script-src-attr"]) {
    expect(violations).toContain(directive);
  }
  expect(seen.requests).toEqual([]);
  expect(seen.dialogs).toEqual([]);
  expect(errors.filter((e) => !e.includes("Content Security Policy"))).toEqual([]);
});

test("the app itself runs under its policy without a single violation", async ({ page }) => {
  await watch(page);
  const errors = await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  // Open the detail panel's EQ (band colours), a knob (its size) and the master.
  await page.getByRole("region", { name: "Pad", exact: true }).click({ position: { x: 30, y: 12 } });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => window.violations)).toEqual([]);
  expect(errors).toEqual([]);
  const policy = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content);
  console.log(`policy: ${policy}`);
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
});
