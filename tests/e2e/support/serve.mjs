// Serves the Trunk build (MIXROOM_DIST, default ../../dist) twice: with the COOP/COEP headers
// SharedArrayBuffer needs, and without them, so both audio modes are tested.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { ISOLATED_URL, PLAIN_URL } from "./urls.mjs";

const dist = resolve(process.env.MIXROOM_DIST || new URL("../../../dist", import.meta.url).pathname);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

function handler(isolated) {
  return async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname));
    const file = join(dist, path.endsWith("/") ? join(path, "index.html") : path);
    const headers = { "Cache-Control": "no-store" };
    if (isolated) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      headers["Content-Security-Policy"] = "frame-ancestors 'none'";
    }
    if (!file.startsWith(dist)) {
      response.writeHead(403, headers).end();
      return;
    }
    try {
      const body = await readFile(file);
      headers["Content-Type"] = TYPES[extname(file)] || "application/octet-stream";
      response.writeHead(200, headers).end(body);
    } catch {
      response.writeHead(404, headers).end("not found");
    }
  };
}

for (const [url, isolated] of [[ISOLATED_URL, true], [PLAIN_URL, false]]) {
  const { hostname, port } = new URL(url);
  createServer(handler(isolated)).listen(Number(port), hostname);
}
console.log(`serving ${dist} on ${ISOLATED_URL} (isolated) and ${PLAIN_URL} (plain)`);
