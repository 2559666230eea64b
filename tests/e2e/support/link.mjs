// Share links written by hand, as a stranger could write them: the format of
// crates/protocol/src/link.rs (format byte 1, zlib, postcard) without the page's checks, so a
// test can put anything in any field.
import { deflateSync } from "node:zlib";

/** postcard's unsigned varint. */
function varint(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const string = (s) => {
  const bytes = [...Buffer.from(s, "utf8")];
  return [...varint(bytes.length), ...bytes];
};
const option = (value, write) => (value == null ? [0] : [1, ...write(value)]);
const list = (items, write) => [...varint(items.length), ...items.flatMap(write)];
const f32 = (x) => { const b = Buffer.alloc(4); b.writeFloatLE(x); return [...b]; };
const f64 = (x) => { const b = Buffer.alloc(8); b.writeDoubleLE(x); return [...b]; };
const param = ([index, value]) => [...varint(index), ...f32(value)];

/** A track's source: `{ demo }`, `{ url }` or `{ file, sha256 }` (sha256 as 64 hex digits). */
function source(s) {
  if (s.demo != null) return [0, ...string(s.demo)];
  if (s.url != null) return [1, ...string(s.url)];
  return [2, ...string(s.file), ...option(s.sha256, (h) => [...Buffer.from(h, "hex")])];
}

/** The payload (what follows `#mix=`) of a mix: `{ tracks: [{ name, source, color, params:
 * [[index, value]] }], buses, returns: [{ name, color, params }], master: [[index, value]],
 * loop: { on, startS, endS } }`; everything but `tracks` may be left out. */
export function linkPayload(mix) {
  const track = (t) => [...string(t.name), ...source(t.source), ...option(t.color, string), ...list(t.params || [], param)];
  const named = (n) => [...string(n.name), ...option(n.color, string), ...list(n.params || [], param)];
  const loop = mix.loop || { on: true, startS: 0, endS: null };
  const body = [
    ...list(mix.tracks, track),
    ...list(mix.buses || [], named),
    ...list(mix.returns || [], named),
    ...list(mix.master || [], param),
    loop.on ? 1 : 0, ...f64(loop.startS), ...option(loop.endS, f64),
  ];
  const bytes = Buffer.concat([Buffer.from([1]), deflateSync(Buffer.from(body))]);
  return bytes.toString("base64url");
}

/** A `#lesson=` / `#handin=` payload of `json` as crates/protocol/src/lesson/wire.rs writes it:
 * base64url of format byte 1 and the zlib'd JSON. */
export function lessonPayload(json) {
  return Buffer.concat([Buffer.from([1]), deflateSync(Buffer.from(json))]).toString("base64url");
}
