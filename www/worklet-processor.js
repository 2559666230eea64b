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
//   spectrumBlock   spectrum block (tap selectors UI -> engine, sample rings engine -> UI)
//   sources         [{ track, channels: [Float32Array, ...] }] loaded before the first quantum
//   hold            true: render silence, and leave the transport and meters alone, until a
//                   "start" message (the page loads the tracks first, so a restarted engine
//                   resumes with every track in place and the playhead where it was)
//
// Which copy of a block to keep and where each ring item goes are the module's decisions (the
// rules: crates/protocol/src/layout/sync.rs); this file loads and stores the counters with
// Atomics and copies the bytes.
//
// Messages in:  { type: "params" | "transport", block }   (message mode: a new snapshot)
//               { type: "slots", slots, values }          (message mode: changed parameter
//                                                          slots, Uint32Array and Float32Array)
//               { type: "recycle", buffer }                (message mode: a buffer of a
//                                                          "meters" or "spectrum" message, sent
//                                                          back to be filled again)
//               { type: "taps", selectors }                (message mode: the tap selectors)
//               { type: "load", track, format, channels }  (a track's audio, at any time:
//                                                          format "f32" (Float32Array data) or
//                                                          "i16" (Int16Array, i / 32768), one
//                                                          ArrayBuffer per channel, transferred)
//               { type: "clear", track }                   (unload a track)
//               { type: "start" }                          (held engine: start rendering)
//               { type: "debug-panic" }                    (test hook, in the suite's build only:
//                                                          abort the instance)
// Messages out: { type: "ready", memoryBytes, sourceBytes }
//                                                          (rendering started; memoryBytes: the
//                                                          module's wasm memory, sourceBytes: the
//                                                          loaded sources' samples)
//               { type: "loaded", track, ok, error, loadMs, memoryBytes, sourceBytes }
//                                                          (once per initial source and per
//                                                          "load"; loadMs: time spent on the
//                                                          audio thread, ms)
//               { type: "cleared", track, ok, memoryBytes, sourceBytes }
//               { type: "meters", first, count, entries }  (message mode: new meter entries)
//               { type: "spectrum", first, frames, samples }
//                                                          (message mode: new tap samples, taps
//                                                          back to back, `frames` each)
//               { type: "died", message }                  (the instance trapped; output is silent)

// In message mode, meter entries are posted every this many quanta (about 21 ms at 48 kHz).
const METER_POST_QUANTA = 8;

// Message mode: at most this many buffers sent back by the page wait to be filled again.
const SPARE_BUFFERS = 8;

// Frees a transferred buffer at once by detaching it (ES2024 `ArrayBuffer.prototype.transfer`).
// Where the browser lacks it, the buffer is only let go of, for the garbage collector.
const detach = typeof ArrayBuffer.prototype.transfer === "function"
  ? (buffer) => { if (!buffer.detached) buffer.transfer(0); }
  : () => {};

class MixroomProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.dead = false;
    this.panicRequested = false;
    // Message mode: buffers the page has sent back, so that posting allocates none.
    this.spare = [];
    this.port.onmessage = (event) => this.guard(() => this.onMessage(event.data));
    this.guard(() => this.start(options.processorOptions));
  }

  start(options) {
    this.mode = options.mode;
    this.x = new WebAssembly.Instance(options.module, {}).exports;
    const x = this.x;
    x.mixroom_init(sampleRate);
    this.genWord = x.mixroom_generation_word();
    this.params = this.inbound("parameter", 0, options.paramBlock, x.mixroom_param_block_bytes());
    this.transport = this.inbound("transport", 1, options.transportBlock,
      x.mixroom_transport_block_bytes());
    this.checkSize("meter", options.meterBlock, x.mixroom_meter_block_bytes());
    this.entryBytes = x.mixroom_meter_entry_bytes();
    this.countWord = x.mixroom_meter_count_word();
    this.meterBlock = options.meterBlock;
    this.meterWords = new Int32Array(this.meterBlock, 0, 4);
    this.ring = [];
    for (let i = 0; i < x.mixroom_meter_ring_capacity(); i++) {
      this.ring.push(new Uint8Array(this.meterBlock, x.mixroom_meter_entry_offset(i), this.entryBytes));
    }
    // Continue the count of a previous instance, so the UI sees one unbroken sequence.
    this.count = Atomics.load(this.meterWords, this.countWord) >>> 0;
    x.mixroom_meter_continue(this.count);
    this.postedCount = this.count;
    this.checkSize("spectrum", options.spectrumBlock, x.mixroom_spectrum_block_bytes());
    this.spectrumBlock = options.spectrumBlock;
    this.spectrumWords = new Int32Array(this.spectrumBlock, 0, 8);
    this.spectrumCountWord = x.mixroom_spectrum_count_word();
    this.selectorWord = x.mixroom_spectrum_selector_word();
    this.taps = x.mixroom_spectrum_taps();
    this.ringFrames = x.mixroom_spectrum_ring_frames();
    this.rings = [];
    for (let tap = 0; tap < this.taps; tap++) {
      this.rings.push(new Float32Array(this.spectrumBlock, x.mixroom_spectrum_sample_offset(tap, 0),
        this.ringFrames));
    }
    this.selectors = new Int32Array(this.taps).fill(-1);
    this.tapFrames = Atomics.load(this.spectrumWords, this.spectrumCountWord) >>> 0;
    x.mixroom_tap_continue(this.tapFrames);
    this.postedTapFrames = this.tapFrames;
    for (const source of options.sources || []) {
      this.load({ track: source.track, format: "f32", channels: source.channels });
    }
    this.held = true;
    if (!options.hold) this.begin();
  }

  // Starts rendering. A new engine starts on the mix: wait for a consistent snapshot of the
  // blocks, jump there (smoothers at their targets), then render.
  begin() {
    if (!this.held) return;
    for (const inbound of [this.params, this.transport]) {
      for (let tries = 0; tries < 1000 && !this.x.mixroom_block_taken(inbound.number); tries++) {
        this.syncBlock(inbound);
      }
    }
    this.x.mixroom_reset();
    this.held = false;
    this.port.postMessage({ type: "ready", ...this.memory() });
  }

  // The module's memory and what the sources take of it, bytes.
  memory() {
    return {
      memoryBytes: this.x.memory.buffer.byteLength,
      sourceBytes: this.x.mixroom_source_bytes(),
    };
  }

  checkSize(name, block, bytes) {
    if (!block || block.byteLength !== bytes) {
      throw new Error(
        `the ${name} block has ${block && block.byteLength} bytes, the engine expects ${bytes}` +
          " (page and engine are from different builds: reload the page)",
      );
    }
  }

  // A UI -> engine block (number 0: parameters, 1: transport) with the views the seqlock read
  // needs.
  inbound(name, number, block, bytes) {
    this.checkSize(name, block, bytes);
    return { number, words: new Int32Array(block, 0, 1), bytes: new Uint8Array(block, 0, bytes) };
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

  // Views into the module's memory, made again only when the memory grows or the quantum size
  // changes: process() allocates nothing in steady state.
  views(frames) {
    const x = this.x;
    const buffer = x.memory.buffer;
    if (this.viewBuffer !== buffer || this.viewFrames !== frames) {
      this.viewBuffer = buffer;
      this.viewFrames = frames;
      this.outputs = [0, 1].map((c) => new Float32Array(buffer, x.mixroom_output_ptr(c), frames));
      this.entry = new Uint8Array(buffer, x.mixroom_meter_entry_ptr(), this.entryBytes);
      this.paramImage = new Uint8Array(buffer, x.mixroom_param_block_ptr(), this.params.bytes.length);
      this.transportImage = new Uint8Array(buffer, x.mixroom_transport_block_ptr(),
        this.transport.bytes.length);
      this.tapViews = [];
      for (let tap = 0; tap < this.taps; tap++) {
        this.tapViews.push(new Float32Array(buffer, x.mixroom_tap_ptr(tap), frames));
      }
    }
  }

  // Seqlock read of a UI -> engine block: the module says whether to copy it into its image and
  // whether the copy is whole (then it applies it).
  syncBlock(inbound) {
    const x = this.x;
    this.views(this.viewFrames || 128);
    const before = Atomics.load(inbound.words, this.genWord);
    if (!x.mixroom_block_wanted(inbound.number, before)) return;
    (inbound.number === 0 ? this.paramImage : this.transportImage).set(inbound.bytes);
    x.mixroom_block_copied(inbound.number, before, Atomics.load(inbound.words, this.genWord));
  }

  // Loads a track's audio (see the "load" message). Bad data is refused with a reason, never
  // thrown: a throw here would kill the engine.
  load({ track, format, channels }) {
    const started = Date.now();
    const x = this.x;
    const compact = format === "i16";
    const Samples = compact ? Int16Array : Float32Array;
    let error = null;
    const arrays = Array.isArray(channels)
      ? channels.map((c) => (c instanceof Samples ? c : c instanceof ArrayBuffer ? new Samples(c) : null))
      : [];
    const frames = arrays.length > 0 && arrays[0] ? arrays[0].length : 0;
    if (format !== "i16" && format !== "f32") {
      error = `unknown sample format ${format}`;
    } else if (arrays.length < 1 || arrays.length > 2 || arrays.some((a) => !a || a.length !== frames)) {
      error = "tracks take one or two channels of equal length";
    } else {
      const staged = compact
        ? x.mixroom_source_alloc_i16(arrays.length, frames)
        : x.mixroom_source_alloc(arrays.length, frames);
      if (staged === 1) {
        arrays.forEach((samples, channel) => {
          const ptr = compact ? x.mixroom_source_channel_ptr_i16(channel) : x.mixroom_source_channel_ptr(channel);
          new Samples(x.memory.buffer, ptr, frames).set(samples);
        });
        if (x.mixroom_source_commit(track) !== 1) error = `there is no track ${track + 1}`;
      } else if (staged === 2) {
        const bytes = arrays.length * frames * Samples.BYTES_PER_ELEMENT;
        error = `out of memory: ${Math.round(bytes / 1e6)} MB more do not fit next to the ` +
          `${Math.round(x.mixroom_source_bytes() / 1e6)} MB of audio already loaded`;
      } else {
        error = "tracks take one or two channels";
      }
    }
    this.port.postMessage({
      type: "loaded", track, ok: error === null, error, loadMs: Date.now() - started, ...this.memory(),
    });
  }

  clear(track) {
    const ok = this.x.mixroom_source_clear(track) === 1;
    this.port.postMessage({ type: "cleared", track, ok, ...this.memory() });
  }

  onMessage(message) {
    switch (message.type) {
      case "params":
        this.params = this.inbound("parameter", 0, message.block, this.params.bytes.length);
        break;
      case "transport":
        this.transport = this.inbound("transport", 1, message.block, this.transport.bytes.length);
        break;
      case "recycle":
        if (message.buffer instanceof ArrayBuffer && this.spare.length < SPARE_BUFFERS) {
          this.spare.push(message.buffer);
        }
        break;
      case "slots":
        for (let i = 0; i < message.slots.length; i++) {
          this.x.mixroom_set_param(message.slots[i], message.values[i]);
        }
        break;
      case "taps":
        message.selectors.forEach((selector, tap) => Atomics.store(this.spectrumWords,
          this.selectorWord + tap, selector));
        break;
      case "load":
        this.load(message);
        // The samples now live in the module's memory. Detaching the transferred buffers frees
        // them at once, instead of whenever this scope's garbage collector gets to them (ten
        // minutes of stereo are 100 MB or more).
        for (const buffer of Array.isArray(message.channels) ? message.channels : []) {
          if (buffer instanceof ArrayBuffer) detach(buffer);
        }
        break;
      case "clear":
        this.clear(message.track);
        break;
      case "start":
        this.begin();
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
    if (this.panicRequested && x.mixroom_debug_panic) x.mixroom_debug_panic();
    if (this.held) {
      for (let channel = 0; channel < output.length; channel++) output[channel].fill(0);
      return;
    }
    const frames = output[0].length;
    this.views(frames);
    this.syncBlock(this.params);
    this.syncBlock(this.transport);
    this.syncTaps();
    x.mixroom_process(frames);
    for (let channel = 0; channel < output.length; channel++) {
      output[channel].set(this.outputs[Math.min(channel, 1)]);
    }
    // Publish this quantum's meter entry: fill its slot, then store the new count.
    this.ring[x.mixroom_meter_slot()].set(this.entry);
    this.count = x.mixroom_meter_publish() >>> 0;
    Atomics.store(this.meterWords, this.countWord, this.count | 0);
    this.publishTaps(frames);
    if (this.mode === "message") {
      this.postMeters();
      this.postTaps();
    }
  }

  // The UI's tap selectors (read every quantum: four words).
  syncTaps() {
    for (let tap = 0; tap < this.taps; tap++) {
      const selector = Atomics.load(this.spectrumWords, this.selectorWord + tap);
      if (selector !== this.selectors[tap]) {
        this.selectors[tap] = selector;
        this.x.mixroom_select_tap(tap, selector);
      }
    }
  }

  // Copies this quantum's tap samples into the rings, then stores the new frame count.
  publishTaps(frames) {
    const at = this.x.mixroom_tap_slot();
    const first = Math.min(frames, this.ringFrames - at);
    for (let tap = 0; tap < this.taps; tap++) {
      if (this.selectors[tap] < 0) continue;
      const samples = this.tapViews[tap];
      this.rings[tap].set(samples.subarray(0, first), at);
      if (first < frames) this.rings[tap].set(samples.subarray(first), 0);
    }
    this.tapFrames = this.x.mixroom_tap_publish(frames) >>> 0;
    Atomics.store(this.spectrumWords, this.spectrumCountWord, this.tapFrames | 0);
  }

  // Message mode: send the tap samples written since the last post.
  postTaps() {
    const frames = (this.tapFrames - this.postedTapFrames) >>> 0;
    if (frames < METER_POST_QUANTA * 128 || !this.selectors.some((s) => s >= 0)) {
      if (!this.selectors.some((s) => s >= 0)) this.postedTapFrames = this.tapFrames;
      return;
    }
    const count = Math.min(frames, this.ringFrames);
    const samples = new Float32Array(this.buffer(this.taps * count * 4), 0, this.taps * count);
    const start = (this.tapFrames - count) >>> 0;
    for (let tap = 0; tap < this.taps; tap++) {
      for (let i = 0; i < count; i++) {
        samples[tap * count + i] = this.rings[tap][(start + i) % this.ringFrames];
      }
    }
    this.port.postMessage({ type: "spectrum", first: start, frames: count, samples: samples.buffer },
      [samples.buffer]);
    this.postedTapFrames = this.tapFrames;
  }

  // Message mode: a buffer of at least `bytes` bytes to post, one the page sent back when one is
  // large enough (a new one has room for twice as much, so it serves the next posts too).
  buffer(bytes) {
    for (let i = 0; i < this.spare.length; i++) {
      const buffer = this.spare[i];
      if (buffer.byteLength >= bytes) {
        this.spare[i] = this.spare[this.spare.length - 1];
        this.spare.pop();
        return buffer;
      }
    }
    return new ArrayBuffer(2 * bytes);
  }

  // Message mode: send the entries written since the last post, oldest first.
  postMeters() {
    const pending = (this.count - this.postedCount) >>> 0;
    if (pending < METER_POST_QUANTA) return;
    const entries = new Uint8Array(this.buffer(pending * this.entryBytes), 0, pending * this.entryBytes);
    for (let i = 0; i < pending; i++) {
      const n = (this.postedCount + i) >>> 0;
      entries.set(this.ring[n % this.ring.length], i * this.entryBytes);
    }
    this.port.postMessage(
      { type: "meters", first: this.postedCount, count: pending, entries: entries.buffer },
      [entries.buffer],
    );
    this.postedCount = this.count;
  }
}

registerProcessor("mixroom", MixroomProcessor);
