// The two origins the suite serves the build on.
/** With COOP/COEP headers: cross-origin isolated, SharedArrayBuffer mode. */
export const ISOLATED_URL = "http://127.0.0.1:8091/";
/** Without them: not isolated, message mode. */
export const PLAIN_URL = "http://127.0.0.1:8092/";
