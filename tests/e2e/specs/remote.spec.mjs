// Audio by URL from a link: nothing is fetched until the user agrees (one answer per host);
// remote audio loads in the background while the mix plays, meters run and autosave works;
// progress shows, Cancel stops it; a server that trickles, goes silent or never ends is given
// up on with a message; opening another mix cancels the fetches still running.
import { test, expect } from "@playwright/test";
import { createServer } from "node:http";
import { ISOLATED_URL } from "../support/urls.mjs";
import { expectMeter, openMixroom } from "../support/page.mjs";
import { sineWav } from "../support/wav.mjs";
import { mixOpened, peak, render } from "../support/mix.mjs";
import { linkPayload } from "../support/link.mjs";
import { expectKept } from "../support/storage.mjs";

/** Two audio servers on two hosts (two ports), with CORS; each counts its requests and the
 * requests whose connection the page closed before the end. */
const servers = {};
const HOSTS = { a: "127.0.0.1:8095", b: "127.0.0.1:8096" };

function audioServer() {
  const seen = { requests: [], closed: [] };
  const server = createServer((request, response) => {
    const path = request.url;
    seen.requests.push(path);
    let finished = false;
    response.on("finish", () => { finished = true; });
    request.on("close", () => { if (!finished) seen.closed.push(path); });
    const headers = {
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
      "Content-Type": "audio/wav",
      "Cache-Control": "no-store",
    };
    if (path.split("?")[0] === "/tone.wav") {
      response.writeHead(200, headers).end(sineWav(2, 550));
    } else if (path === "/trickle.wav") {
      // 3 s of audio, 2 KB every 200 ms: about a minute in all.
      const wav = sineWav(3, 330);
      response.writeHead(200, { ...headers, "Content-Length": wav.length });
      let at = 0;
      const timer = setInterval(() => {
        if (at >= wav.length) { clearInterval(timer); response.end(); return; }
        response.write(wav.subarray(at, at + 2048));
        at += 2048;
      }, 200);
      request.on("close", () => clearInterval(timer));
    } else if (path === "/endless") {
      // Never ends: 16 KB every 50 ms, no length.
      response.writeHead(200, headers);
      const timer = setInterval(() => response.write(Buffer.alloc(16_384, 1)), 50);
      request.on("close", () => clearInterval(timer));
    } else if (path === "/moved") {
      // Sends the request on to the other host.
      response.writeHead(302, { ...headers, Location: `http://${HOSTS.b}/tone.wav` }).end();
    } else if (path === "/silent") {
      // The answer's headers, then nothing, ever.
      response.writeHead(200, headers);
      response.flushHeaders();
    } else {
      response.writeHead(404, headers).end();
    }
  });
  return { server, seen };
}

test.beforeAll(async () => {
  for (const [name, host] of Object.entries(HOSTS)) {
    servers[name] = audioServer();
    const [hostname, port] = host.split(":");
    await new Promise((resolve) => servers[name].server.listen(Number(port), hostname, resolve));
  }
});

test.afterAll(async () => {
  for (const { server } of Object.values(servers)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test.beforeEach(() => {
  for (const { seen } of Object.values(servers)) {
    seen.requests.length = 0;
    seen.closed.length = 0;
  }
});

const url = (server, path) => `http://${HOSTS[server]}${path}`;
const remoteNotice = (page, host) => page.getByTestId("notice").filter({ hasText: host });

test("a link's audio from other hosts loads only when agreed, in the background, and Cancel stops it", async ({ page }) => {
  const payload = linkPayload({
    tracks: [
      { name: "Kick", source: { demo: "kick" } },
      { name: "Slow", source: { url: url("a", "/trickle.wav") } },
      { name: "Tone", source: { url: url("a", "/tone.wav") } },
      { name: "Other", source: { url: url("b", "/tone.wav") } },
    ],
  });
  const errors = await openMixroom(page, `${ISOLATED_URL}#mix=${payload}`);
  await mixOpened(page, 4);
  const askA = remoteNotice(page, HOSTS.a);
  await expect(askA).toContainText(`This mix loads audio from ${HOSTS.a}`);
  await expect(remoteNotice(page, HOSTS.b)).toContainText("Nothing is fetched from there until you agree");
  await page.screenshot({ path: "artifacts/remote-ask.png" });
  // The rest plays; nothing has been asked of either server.
  await expectMeter(page, "Kick", (db) => db > -60, "plays while the page asks");
  await page.waitForTimeout(1000);
  expect(servers.a.seen.requests).toEqual([]);
  expect(servers.b.seen.requests).toEqual([]);

  await page.getByRole("button", { name: `Skip audio from ${HOSTS.b}` }).click();
  await expect(remoteNotice(page, HOSTS.b)).toContainText(`Nothing was fetched from ${HOSTS.b}: 1 track`);
  await page.getByRole("button", { name: `Load audio from ${HOSTS.a}` }).click();
  // The quick one arrives while the slow one trickles.
  await expect(askA).toContainText("Loading audio from");
  await expect(askA).toContainText("“Slow”");
  console.log(`remote progress: ${await askA.textContent()}`);
  await page.screenshot({ path: "artifacts/remote-loading.png" });
  await expect.poll(() => page.evaluate(() => window.wasmBindings.mixroom_project_state().waiting.length), {
    message: "Tone loaded; Slow and Other still wait",
  }).toBe(2);
  // Meanwhile the meters run and autosave keeps a change.
  const kick = page.getByRole("slider", { name: "Kick Fader" });
  await kick.focus();
  await kick.press("PageDown");
  await expect.poll(async () => JSON.parse((await expectKept(page, 4)).session).tracks[0].params?.gain_db).toBe(-6);
  expect((await expectKept(page, 4)).allowed_hosts).toEqual([HOSTS.a]);
  await expectMeter(page, "Kick", (db) => db > -60, "plays while remote audio loads");
  await page.getByRole("button", { name: "Tone Solo" }).click();
  expect(peak(await render(page, 48_000))).toBeGreaterThan(0.05);

  await page.getByRole("button", { name: `Cancel loading audio from ${HOSTS.a}` }).click();
  await expect(askA).toContainText(`Stopped loading audio from ${HOSTS.a}`);
  await expect.poll(() => servers.a.seen.closed).toContain("/trickle.wav");
  expect(servers.b.seen.requests).toEqual([]);
  console.log(`host a: requests ${servers.a.seen.requests.join(", ")}; closed by the page ${servers.a.seen.closed.join(", ")}`);
  expect(errors).toEqual([]);
});

test("a server that never ends or goes silent is given up on; a second open cancels the first", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  await page.evaluate(() => window.wasmBindings.mixroom_set_fetch_limits(1_500, 20_000, 1_000_000, 1e9));
  const open = async (mix, tracks) => {
    await page.evaluate((hash) => { location.hash = hash; }, `#mix=${linkPayload(mix)}`);
    await mixOpened(page, tracks);
  };
  await open({
    tracks: [
      { name: "Kick", source: { demo: "kick" } },
      { name: "Endless", source: { url: url("a", "/endless") } },
      { name: "Silent", source: { url: url("a", "/silent") } },
    ],
  }, 3);
  await page.getByRole("button", { name: `Load audio from ${HOSTS.a}` }).click();
  const endless = page.getByTestId("notice").filter({ hasText: "Track “Endless”" });
  const silent = page.getByTestId("notice").filter({ hasText: "Track “Silent”" });
  await expect(endless).toContainText("larger than the 1 MB Mixroom fetches");
  await expect(silent).toContainText("the server sent nothing for 1.5 s");
  console.log(`never ends: ${await endless.textContent()}`);
  console.log(`goes silent: ${await silent.textContent()}`);
  await expect.poll(() => servers.a.seen.closed.sort()).toEqual(["/endless", "/silent"]);
  await expectMeter(page, "Kick", (db) => db > -60, "plays on");

  // A slow open, then another mix before it is done: the slow fetch is cancelled.
  await open({ tracks: [{ name: "Slow", source: { url: url("a", "/trickle.wav") } }, { name: "Snare", source: { demo: "snare" } }] }, 2);
  await page.getByRole("button", { name: `Load audio from ${HOSTS.a}` }).click();
  await expect(remoteNotice(page, HOSTS.a)).toContainText("“Slow”");
  await open({ tracks: [{ name: "Bass", source: { demo: "bass" } }] }, 1);
  await expect.poll(() => servers.a.seen.closed).toContain("/trickle.wav");
  await expect(remoteNotice(page, HOSTS.a)).toHaveCount(0);
  await expect(page.getByTestId("notice").filter({ hasText: "Track “Slow”" })).toHaveCount(0);
  await expectMeter(page, "Bass", (db) => db > -60, "the new mix plays");
});

test("one mix's audio by URL is bounded in all: the files past the set's budget are refused, and a reload asks again", async ({ page }) => {
  await openMixroom(page, ISOLATED_URL);
  await mixOpened(page, 14);
  // Each tone is 353 KB, within the 1 MB of one file; two fit in the 800 KB of one mix, three do not.
  await page.evaluate(() => window.wasmBindings.mixroom_set_fetch_limits(20_000, 60_000, 1_000_000, 800_000));
  const tones = [1, 2, 3, 4].map((n) => ({ name: `Tone ${n}`, source: { url: url("a", `/tone.wav?${n}`) } }));
  await page.evaluate((hash) => { location.hash = hash; }, `#mix=${linkPayload({ tracks: [{ name: "Kick", source: { demo: "kick" } }, ...tones] })}`);
  await mixOpened(page, 5);
  await page.getByRole("button", { name: `Load audio from ${HOSTS.a}` }).click();
  const refused = page.getByTestId("notice").filter({ hasText: "would pass the 1 MB Mixroom fetches for one mix" });
  await expect(refused).toHaveCount(2);
  await expect(refused.first()).toContainText(`Mixroom asks again before it fetches from ${HOSTS.a}`);
  console.log(`refused: ${await refused.first().textContent()}`);
  await expect.poll(() => page.evaluate(() => window.wasmBindings.mixroom_project_state().waiting.length)).toBe(2);
  await expect(remoteNotice(page, `Loading audio from ${HOSTS.a}`)).toHaveCount(0);
  await expectMeter(page, "Kick", (db) => db > -60, "plays on");
  // Two tones play: both loaded, whichever they are.
  const waiting = await page.evaluate(() => window.wasmBindings.mixroom_project_state().waiting);
  const loaded = tones.map((t) => t.name).filter((name) => !waiting.some((w) => w.includes(`tone.wav?${name.slice(-1)}"`)));
  expect(loaded).toHaveLength(2);
  await page.getByRole("button", { name: `${loaded[0]} Solo` }).click();
  expect(peak(await render(page, 48_000))).toBeGreaterThan(0.05);
  // The host is agreed to no more: a reload asks before it fetches anything.
  await expect.poll(async () => (await expectKept(page, 5)).allowed_hosts).toEqual([]);
  const before = servers.a.seen.requests.length;
  await page.reload();
  await mixOpened(page, 5);
  await expect(page.getByRole("button", { name: `Load audio from ${HOSTS.a}` })).toBeVisible();
  await page.waitForTimeout(500);
  expect(servers.a.seen.requests.length).toBe(before);
});

test("the host agreed to is the host fetched: a redirect to another host and an address with a backslash are refused; an internationalized host shows its punycode", async ({ page }) => {
  const payload = linkPayload({
    tracks: [
      { name: "Kick", source: { demo: "kick" } },
      { name: "Moved", source: { url: url("a", "/moved") } },
      // A browser reads the backslash as a slash: the host fetched would be 127.0.0.1:8096.
      { name: "Slash", source: { url: `http://${HOSTS.b}\\.school.example/tone.wav` } },
      { name: "Books", source: { url: "https://bücher.example/a.wav" } },
    ],
  });
  const errors = await openMixroom(page, `${ISOLATED_URL}#mix=${payload}`);
  await mixOpened(page, 3);
  const refused = page.getByTestId("notice").filter({ hasText: "were refused" });
  await expect(refused).toContainText("track 3 “Slash”, audio");
  await expect(refused).toContainText("has a backslash, which a browser reads as a slash");
  await expect(remoteNotice(page, "xn--bcher-kva.example")).toContainText("xn--bcher-kva.example (bücher.example)");
  await page.getByRole("button", { name: /^Skip audio from xn--bcher-kva\.example/ }).click();
  await expect(remoteNotice(page, "xn--bcher-kva.example")).toContainText("1 track of this mix stays silent");

  await page.getByRole("button", { name: `Load audio from ${HOSTS.a}` }).click();
  await expect(remoteNotice(page, HOSTS.a)).toContainText(`${HOSTS.a} sent the request on to ${HOSTS.b}, which you did not agree to`);
  await page.screenshot({ path: "artifacts/remote-redirect.png" });
  // The track still waits for its audio: nothing from the other host went into the mix.
  await expect.poll(() => page.evaluate(() => window.wasmBindings.mixroom_project_state().waiting.length)).toBe(2);
  expect(servers.b.seen.requests.filter((r) => r !== "/tone.wav")).toEqual([]);
  expect(errors).toEqual([]);
});
