// Mixroom's AudioWorkletProcessor: a thin shell around the raw mixroom_worklet.wasm module.
//
// The worklet scope has no fetch, TextDecoder or importScripts: the main thread compiles the
// module with WebAssembly.compile and passes it in processorOptions, and this file instantiates it
// with no imports. All DSP lives in Rust (crates/dsp); this file only moves bytes between the
// shared blocks (layout: crates/protocol/src/layout) and the module's memory.
//
// processorOptions:
//   module          WebAssembly.Module of mixroom_worklet.wasm
//   mode            "shared": the blocks are SharedArrayBuffers read and written in place;
//                   "message": they are private ArrayBuffer copies, updated by messages
//   paramBlock      parameter block (UI -> engine)
//   transportBlock  transport block (UI -> engine)
//   meterBlock      meter block (engine -> UI)
//   sources         [{ track, channels: [Float32Array, ...] }] loaded before the first quantum
//
// Messages in:  { type: "params" | "transport", block }   (message mode: a new snapshot)
//               { type: "debug-panic" }                    (test hook: abort the instance)
// Messages out: { type: "ready" }
//               { type: "loaded", track, ok }            (once per initial source)
//               { type: "meters", first, count, entries }  (message mode: new meter entries)
//               { type: "died", message }                  (the instance trapped; output is silent)

// In message mode, meter entries are posted every this many quanta (about 21 ms at 48 kHz).
const METER_POST_QUANTA = 8;

class MixroomProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.dead = false;
    this.panicRequested = false;
    this.port.onmessage = (event) => this.guard(() => this.onMessage(event.data));
    this.guard(() => this.start(options.processorOptions));
  }

  start(options) {
    this.mode = options.mode;
    this.x = new WebAssembly.Instance(options.module, {}).exports;
    const x = this.x;
    x.mixroom_init(sampleRate);
    this.genWord = x.mixroom_generation_word();
    this.paramBlock = options.paramBlock;
    this.transportBlock = options.transportBlock;
    this.meterBlock = options.meterBlock;
    this.checkSize("parameter", this.paramBlock, x.mixroom_param_block_bytes());
    this.checkSize("transport", this.transportBlock, x.mixroom_transport_block_bytes());
    this.checkSize("meter", this.meterBlock, x.mixroom_meter_block_bytes());
    this.entryBytes = x.mixroom_meter_entry_bytes();
    this.countWord = x.mixroom_meter_count_word();
    this.meterWords = new Int32Array(this.meterBlock, 0, 4);
    // Continue the count of a previous instance, so the UI sees one unbroken sequence.
    this.count = Atomics.load(this.meterWords, this.countWord) >>> 0;
    this.postedCount = this.count;
    this.paramGen = -1;
    this.transportGen = -1;
    // A new engine starts on the mix: wait for a consistent snapshot, then jump there.
    for (let tries = 0; tries < 1000 && this.paramGen < 0; tries++) this.syncParams();
    for (let tries = 0; tries < 1000 && this.transportGen < 0; tries++) this.syncTransport();
    for (const source of options.sources || []) this.load(source.track, source.channels);
    x.mixroom_reset();
    this.port.postMessage({ type: "ready" });
  }

  checkSize(name, block, bytes) {
    if (!block || block.byteLength !== bytes) {
      throw new Error(
        `the ${name} block has ${block && block.byteLength} bytes, the engine expects ${bytes}` +
          " (page and engine are from different builds: reload the page)",
      );
    }
  }

  // Runs f; a trap or error kills this instance and tells the page, which restarts the engine.
  guard(f) {
    if (this.dead) return;
    try {
      f();
    } catch (error) {
      this.dead = true;
      this.port.postMessage({ type: "died", message: String(error && error.message || error) });
    }
  }

  bytes(ptr, length) {
    return new Uint8Array(this.x.memory.buffer, ptr, length);
  }

  // Seqlock read of a UI -> engine block: copy it into the module when its generation is new,
  // even (no write in progress) and unchanged across the copy. Returns the generation consumed.
  syncBlock(block, lastGen, ptr, length, changed) {
    const words = new Int32Array(block, 0, 1);
    const before = Atomics.load(words, this.genWord);
    if (before === lastGen || (before & 1) !== 0) return lastGen;
    this.bytes(ptr, length).set(new Uint8Array(block, 0, length));
    if (Atomics.load(words, this.genWord) !== before) return lastGen;
    changed();
    return before;
  }

  syncParams() {
    const x = this.x;
    this.paramGen = this.syncBlock(this.paramBlock, this.paramGen, x.mixroom_param_block_ptr(),
      x.mixroom_param_block_bytes(), x.mixroom_params_changed);
  }

  syncTransport() {
    const x = this.x;
    this.transportGen = this.syncBlock(this.transportBlock, this.transportGen,
      x.mixroom_transport_block_ptr(), x.mixroom_transport_block_bytes(),
      x.mixroom_transport_changed);
  }

  load(track, channels) {
    const x = this.x;
    let ok = channels.length > 0 && x.mixroom_source_alloc(channels.length, channels[0].length) === 1;
    if (ok) {
      channels.forEach((samples, channel) => {
        const ptr = x.mixroom_source_channel_ptr(channel);
        new Float32Array(x.memory.buffer, ptr, samples.length).set(samples);
      });
      ok = x.mixroom_source_commit(track) === 1;
    }
    this.port.postMessage({ type: "loaded", track, ok });
  }

  onMessage(message) {
    switch (message.type) {
      case "params":
        this.paramBlock = message.block;
        break;
      case "transport":
        this.transportBlock = message.block;
        break;
      case "debug-panic":
        this.panicRequested = true;
        break;
    }
  }

  process(_inputs, outputs) {
    this.guard(() => this.render(outputs[0]));
    return true;
  }

  render(output) {
    const x = this.x;
    if (this.panicRequested) x.mixroom_debug_panic();
    this.syncParams();
    this.syncTransport();
    const frames = x.mixroom_process(output[0].length);
    for (let channel = 0; channel < output.length; channel++) {
      const ptr = x.mixroom_output_ptr(Math.min(channel, 1));
      output[channel].set(new Float32Array(x.memory.buffer, ptr, frames));
    }
    // Publish this quantum's meter entry: fill the slot, then store the new count.
    const entry = this.bytes(x.mixroom_meter_entry_ptr(), this.entryBytes);
    new Uint8Array(this.meterBlock, x.mixroom_meter_entry_offset(this.count), this.entryBytes)
      .set(entry);
    this.count = (this.count + 1) >>> 0;
    Atomics.store(this.meterWords, this.countWord, this.count | 0);
    if (this.mode === "message") this.postMeters();
  }

  // Message mode: send the entries written since the last post, oldest first.
  postMeters() {
    const pending = (this.count - this.postedCount) >>> 0;
    if (pending < METER_POST_QUANTA) return;
    const entries = new Uint8Array(pending * this.entryBytes);
    for (let i = 0; i < pending; i++) {
      const n = (this.postedCount + i) >>> 0;
      const at = this.x.mixroom_meter_entry_offset(n);
      entries.set(new Uint8Array(this.meterBlock, at, this.entryBytes), i * this.entryBytes);
    }
    this.port.postMessage(
      { type: "meters", first: this.postedCount, count: pending, entries: entries.buffer },
      [entries.buffer],
    );
    this.postedCount = this.count;
  }
}

registerProcessor("mixroom", MixroomProcessor);
