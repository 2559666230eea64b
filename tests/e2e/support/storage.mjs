// What the page keeps in the browser (IndexedDB "mixroom", see crates/app/src/persist), read and
// written from the test as another program on the same origin would.
import { expect } from "@playwright/test";

/** Runs storage operation `op` with `args` in the page, on the database at its current
 * version (no code is built from strings: the app's CSP forbids eval). */
function db(page, op, args = []) {
  return page.evaluate(
    ([op, args]) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("mixroom");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const done = (request) => {
            request.onsuccess = () => { db.close(); resolve(request.result); };
            request.onerror = () => { db.close(); reject(request.error); };
          };
          const [store, key, value] = args;
          if (op === "getAll") done(db.transaction(store).objectStore(store).getAll());
          else if (op === "keys") done(db.transaction(store).objectStore(store).getAllKeys());
          else if (op === "put") {
            const tx = db.transaction(store, "readwrite");
            tx.objectStore(store).put(value, key);
            tx.oncomplete = () => { db.close(); resolve(); };
            tx.onerror = () => { db.close(); reject(tx.error); };
          } else reject(new Error(`no operation ${op}`));
        };
      }),
    [op, args],
  );
}

const parse = (text) => {
  try { return JSON.parse(text); } catch { return { unreadable: text }; }
};

/** Every kept mix record, parsed: [{ id, name, saved_at_ms, tracks, session }]. */
export async function keptMixes(page) {
  return (await db(page, "getAll", ["mixes"])).map(parse);
}

/** Every mix set aside, parsed: [{ id, name, reason, set_aside_at_ms, text }]. */
export async function asideMixes(page) {
  return (await db(page, "getAll", ["aside"])).map(parse);
}

/** The SHA-256 keys of the stored audio files. */
export function audioKeys(page) {
  return db(page, "keys", ["audio"]);
}

/** Stores `value` under `key` in object store `store`, as it is (a string for mixes). */
export function putRaw(page, store, key, value) {
  return db(page, "put", [store, key, value]);
}

/** Keeps `session` (an object) as the mix `id`, saved `savedAtMs`, its audio agreed to be
 * fetched from `allowedHosts`. */
export function putMix(page, { id, name = "Test mix", session, savedAtMs = Date.now(), allowedHosts = [] }) {
  const text = typeof session === "string" ? session : JSON.stringify(session);
  const record = { id, name, saved_at_ms: savedAtMs, tracks: 0, session: text, allowed_hosts: allowedHosts };
  return putRaw(page, "mixes", id, JSON.stringify(record));
}

/** The id of the mix the tab works on (from its sessionStorage). */
export function tabMixId(page) {
  return page.evaluate(() => sessionStorage.getItem("mixroom-mix"));
}

/** Waits until the tab's mix is kept with `tracks` tracks (autosave wrote it); returns it. */
export async function expectKept(page, tracks) {
  let record;
  await expect
    .poll(async () => {
      const id = await tabMixId(page);
      record = (await keptMixes(page)).find((m) => m.id === id);
      return record?.tracks;
    }, { timeout: 10_000, message: `the tab's mix kept with ${tracks} tracks` })
    .toBe(tracks);
  return record;
}

/** A page of the same origin that is not the app (a 404), for a second program's storage. */
export async function sameOriginBlank(context, origin) {
  const page = await context.newPage();
  await page.goto(origin + "not-the-app");
  return page;
}
