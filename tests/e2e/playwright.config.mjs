// Playwright drives Debian's Chromium (never a downloaded browser). `cargo xtask test` sets
// CHROMIUM_PATH, MIXROOM_DIST (the Trunk build) and MIXROOM_CLI (the native renderer).
import { defineConfig } from "@playwright/test";
import { ISOLATED_URL } from "./support/urls.mjs";

export default defineConfig({
  testDir: "./specs",
  outputDir: "./test-results",
  timeout: 90_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    headless: true,
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "node support/serve.mjs",
    url: ISOLATED_URL,
    reuseExistingServer: false,
    stdout: "pipe",
  },
});
