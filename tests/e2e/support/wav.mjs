// Minimal 32-bit float WAV files, for handing the same samples to the page and to the CLI.
import { readFileSync, writeFileSync } from "node:fs";

/** Writes `channels` (Float32Arrays of equal length) as a 32-bit float WAV. */
export function writeFloatWav(path, sampleRate, channels) {
  const frames = channels[0].length;
  const count = channels.length;
  const dataBytes = frames * count * 4;
  const buffer = Buffer.alloc(44 + dataBytes);
  buffer.write("RIFF", 0);
  buffer.writeUInt32LE(36 + dataBytes, 4);
  buffer.write("WAVE", 8);
  buffer.write("fmt ", 12);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(3, 20); // IEEE float
  buffer.writeUInt16LE(count, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * count * 4, 28);
  buffer.writeUInt16LE(count * 4, 32);
  buffer.writeUInt16LE(32, 34);
  buffer.write("data", 36);
  buffer.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < count; c++) buffer.writeFloatLE(channels[c][i], 44 + (i * count + c) * 4);
  }
  writeFileSync(path, buffer);
}

/** Reads a 32-bit float WAV into { sampleRate, channels: Float32Array[] }. */
export function readFloatWav(path) {
  const buffer = readFileSync(path);
  let at = 12;
  let format = null;
  while (at + 8 <= buffer.length) {
    const id = buffer.toString("ascii", at, at + 4);
    const size = buffer.readUInt32LE(at + 4);
    if (id === "fmt ") {
      format = {
        tag: buffer.readUInt16LE(at + 8),
        channels: buffer.readUInt16LE(at + 10),
        sampleRate: buffer.readUInt32LE(at + 12),
        bits: buffer.readUInt16LE(at + 22),
      };
    } else if (id === "data") {
      if (!format || format.bits !== 32) throw new Error(`${path}: not a 32-bit float WAV`);
      const frames = size / 4 / format.channels;
      const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < format.channels; c++) {
          channels[c][i] = buffer.readFloatLE(at + 8 + (i * format.channels + c) * 4);
        }
      }
      return { sampleRate: format.sampleRate, channels };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** A `seconds` long 16-bit stereo WAV (as a Buffer) of a `hz` sine at amplitude `amplitude`
 * (integer steps of 1/32768), the right channel inverted when `invertRight`. */
export function sineWav(seconds, hz, { rate = 44_100, amplitude = 9_000, invertRight = true } = {}) {
  const frames = Math.round(seconds * rate);
  const wav = Buffer.alloc(44 + frames * 4);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + frames * 4, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(2, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 4, 28);
  wav.writeUInt16LE(4, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(frames * 4, 40);
  for (let i = 0; i < frames; i++) {
    const x = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
    wav.writeInt16LE(x, 44 + i * 4);
    wav.writeInt16LE(invertRight ? -x : x, 46 + i * 4);
  }
  return wav;
}
