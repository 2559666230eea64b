// Starts the page: loads the app's wasm-bindgen module and its wasm. A file of its own (not the
// inline script Trunk writes by default) so that the page's Content-Security-Policy allows
// scripts from the app itself only. Trunk fills in the two addresses (Trunk.toml,
// `pattern_script`).
const boot = document.querySelector("script[data-mixroom-js]");
const bindings = await import(boot.dataset.mixroomJs);
const wasm = await bindings.default({ module_or_path: boot.dataset.mixroomWasm });
// The end-to-end suite reaches the app's exports here (its test hooks exist only in its build).
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
