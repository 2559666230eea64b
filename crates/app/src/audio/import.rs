//! Importing audio into tracks: a dropped file (or generated audio) becomes a track the engine
//! plays.
//!
//! ```text
//! File (a Blob: the browser keeps it, on disk for picked files)
//!   -> arrayBuffer() -> decodeAudioData (any format the browser knows, at the context's rate)
//!   -> chunk by chunk: downmix (surround -> stereo, BS.775), waveform overview, peak, and the
//!      engine's storage: f32, or 16-bit integers for tracks longer than
//!      mixroom_dsp::Source::COMPACT_ABOVE_S (half the memory; error below −96 dBFS)
//!   -> one transferable ArrayBuffer per channel; the AudioBuffer is dropped
//! AudioBridge::load_track: posts the buffers to the worklet (transferred, not copied), waits for
//! the engine's answer, and remembers the track's TrackOrigin for a restart.
//! ```
//!
//! The main thread keeps no audio: only the origin (the File handle, or the generator) and the
//! [`TrackInfo`] with its overview. Conversion goes through small scratch buffers in this
//! module's wasm memory (which never shrinks), never the whole file, and yields to the page
//! every [`YIELD_AFTER_MS`] so the page keeps responding.
//!
//! Use from the UI, one file at a time (for a "Decoding 3 of 16: name" progress line):
//!
//! ```ignore
//! for (i, file) in files.into_iter().enumerate() {
//!     progress.set(format!("Decoding {} of {}: {}", i + 1, count, file.name()));
//!     match import_file(bridge.context(), file).await {
//!         Ok(imported) => match bridge.load_track(track, imported).await { ... },
//!         Err(e) => show(e.to_string()), // nothing changed
//!     }
//! }
//! ```

use std::fmt;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Float32Array, Int16Array};
use mixroom_dsp::downmix::{ChannelPlan, MAX_FILE_CHANNELS};
use mixroom_protocol::session::{FileSource, Source};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, BaseAudioContext, File};

use super::js::{self, describe};
use super::samples::EngineAudio;
use super::waveform::{Overview, OverviewBuilder, FRAMES_PER_POINT};

/// Frames converted per step (the scratch buffers hold this many per channel).
const CHUNK_FRAMES: usize = 16_384;

/// The conversion gives the page's event loop a turn after working this long, ms.
pub const YIELD_AFTER_MS: f64 = 20.0;

/// Makes a track's audio at a sample rate (Hz): one or two (or up to eight, downmixed) equally
/// long channels.
pub type Generator = Rc<dyn Fn(f32) -> Vec<Vec<f32>>>;

/// Where a track's audio comes from. The bridge keeps it, not the audio, to load the track
/// again into a restarted engine.
#[derive(Clone)]
pub enum TrackOrigin {
    /// An imported file, decoded again when needed.
    File(File),
    /// Audio made by the page (the demo song), generated again at the engine's rate.
    Generated(Generator),
}

impl fmt::Debug for TrackOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrackOrigin::File(file) => write!(f, "File({:?})", file.name()),
            TrackOrigin::Generated(_) => write!(f, "Generated"),
        }
    }
}

/// What the page knows about a track's audio (the audio itself lives in the engine).
#[derive(Clone, Debug, PartialEq)]
pub struct TrackInfo {
    /// The file's name (or the generated track's).
    pub name: String,
    /// Channels of the track: 1 (mono) or 2.
    pub channels: u32,
    /// Channels of the file (more than 2: downmixed).
    pub file_channels: u32,
    /// Length in frames at `sample_rate_hz`.
    pub frames: u32,
    /// The engine's (and the audio context's) sample rate, Hz.
    pub sample_rate_hz: f32,
    /// Length, seconds.
    pub duration_s: f64,
    /// Min/max overview for the timeline.
    pub overview: Rc<Overview>,
    /// Where the audio comes from, as a session names it (a file with its SHA-256, a demo
    /// stem, a URL).
    pub source: Source,
    /// Whether a surround file was folded down to stereo (ITU-R BS.775).
    pub downmixed: bool,
    /// Largest absolute sample after the downmix, linear (above 1.0: the file clips).
    pub peak_lin: f32,
    /// Whether the engine stores the track as 16-bit integers (longer than
    /// [`mixroom_dsp::Source::COMPACT_ABOVE_S`]).
    pub compact: bool,
}

/// Where the time of an import went, ms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ImportTimings {
    /// Reading the file's bytes.
    pub read_ms: f64,
    /// `decodeAudioData`.
    pub decode_ms: f64,
    /// Downmix, overview and conversion to the engine's storage.
    pub convert_ms: f64,
}

/// A decoded file ready for [`super::AudioBridge::load_track`], which consumes it. Holds the
/// audio in transferable buffers until then: load it (or drop it) promptly.
pub struct ImportedTrack {
    /// What the page keeps about the track.
    pub info: TrackInfo,
    /// How long the import took.
    pub timings: ImportTimings,
    audio: EngineAudio,
    origin: TrackOrigin,
}

impl ImportedTrack {
    /// Splits into the parts the bridge needs.
    pub fn into_parts(self) -> (TrackInfo, EngineAudio, TrackOrigin) {
        (self.info, self.audio, self.origin)
    }
}

/// Why a file (or generated audio) could not become a track. The `Display` text is for the
/// user: it names the file and what went wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// The file has no bytes, or decodes to no audio.
    Empty {
        /// The file's name.
        name: String,
    },
    /// The file's bytes could not be read (e.g. it was moved or deleted since it was picked).
    Unreadable {
        /// The file's name.
        name: String,
        /// The browser's reason.
        reason: String,
    },
    /// The browser cannot decode the file as audio (not audio, corrupt, or an unknown format).
    Undecodable {
        /// The file's name.
        name: String,
        /// The browser's reason.
        reason: String,
    },
    /// More channels than a 7.1 file.
    TooManyChannels {
        /// The file's name.
        name: String,
        /// Its channel count.
        channels: u32,
    },
    /// Generated audio of the wrong shape.
    BadAudio {
        /// The track's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The page could not hold the converted audio (the tab is out of memory).
    OutOfMemory {
        /// The file's name.
        name: String,
        /// The browser's reason.
        reason: String,
    },
    /// The engine refused the audio or stopped while taking it.
    Engine {
        /// The file's name.
        name: String,
        /// The engine's reason.
        reason: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Empty { name } => {
                write!(f, "Could not import “{name}”: the file holds no audio.")
            }
            ImportError::Unreadable { name, reason } => {
                write!(
                    f,
                    "Could not import “{name}”: the file cannot be read ({reason})."
                )
            }
            ImportError::Undecodable { name, reason } => write!(
                f,
                "Could not import “{name}”: it is not audio this browser can decode \
                 (damaged, or an unsupported format: {reason})."
            ),
            ImportError::TooManyChannels { name, channels } => write!(
                f,
                "Could not import “{name}”: it has {channels} channels; Mixroom takes mono, \
                 stereo and surround up to 7.1 ({MAX_FILE_CHANNELS} channels)."
            ),
            ImportError::BadAudio { name, reason } => {
                write!(f, "Could not load “{name}”: {reason}.")
            }
            ImportError::OutOfMemory { name, reason } => write!(
                f,
                "Could not import “{name}”: the page ran out of memory ({reason}). \
                 Remove some tracks and try again."
            ),
            ImportError::Engine { name, reason } => {
                write!(
                    f,
                    "Could not load “{name}” into the audio engine: {reason}."
                )
            }
        }
    }
}

impl ImportError {
    /// Whether the page or the engine ran out of memory (freeing some may let it succeed).
    pub fn is_out_of_memory(&self) -> bool {
        match self {
            ImportError::OutOfMemory { .. } => true,
            ImportError::Engine { reason, .. } => reason.starts_with("out of memory"),
            _ => false,
        }
    }
}

impl std::error::Error for ImportError {}

/// Decodes `file` at `context`'s sample rate and prepares it for
/// [`super::AudioBridge::load_track`]: downmixed, with its overview, in the engine's storage.
/// Changes nothing anywhere: on error there is nothing to undo.
///
/// The track's source is the file with its SHA-256 (by which a session finds it again).
pub async fn import_file(
    context: &BaseAudioContext,
    file: File,
) -> Result<ImportedTrack, ImportError> {
    let (info, audio, timings) = prepare_file(context, &file, true).await?;
    Ok(ImportedTrack {
        info,
        timings,
        audio,
        origin: TrackOrigin::File(file),
    })
}

/// Prepares generated audio like a decoded file (see [`import_file`]); `source` says what a
/// session calls it.
pub async fn import_generated(
    name: &str,
    source: Source,
    generate: Generator,
    sample_rate_hz: f32,
) -> Result<ImportedTrack, ImportError> {
    let started = js_sys::Date::now();
    let (mut info, audio) = prepare_generated(name, &generate, sample_rate_hz).await?;
    info.source = source;
    Ok(ImportedTrack {
        info,
        timings: ImportTimings {
            convert_ms: js_sys::Date::now() - started,
            ..ImportTimings::default()
        },
        audio,
        origin: TrackOrigin::Generated(generate),
    })
}

/// Prepares a track's audio again from its origin (after an engine restart).
pub async fn prepare_origin(
    context: &BaseAudioContext,
    origin: &TrackOrigin,
    name: &str,
) -> Result<(TrackInfo, EngineAudio), ImportError> {
    match origin {
        TrackOrigin::File(file) => prepare_file(context, file, false)
            .await
            .map(|(info, audio, _)| (info, audio)),
        TrackOrigin::Generated(generate) => {
            prepare_generated(name, generate, context.sample_rate()).await
        }
    }
}

/// Reads, decodes and converts `file`; with `hash`, the info's source carries the SHA-256 of
/// its bytes.
async fn prepare_file(
    context: &BaseAudioContext,
    file: &File,
    hash: bool,
) -> Result<(TrackInfo, EngineAudio, ImportTimings), ImportError> {
    let name = file.name();
    if file.size() == 0.0 {
        return Err(ImportError::Empty { name });
    }
    let started = js_sys::Date::now();
    let bytes: ArrayBuffer = JsFuture::from(file.array_buffer())
        .await
        .and_then(|b| b.dyn_into())
        .map_err(|e| ImportError::Unreadable {
            name: name.clone(),
            reason: describe(&e),
        })?;
    let sha256 = if hash {
        Some(
            js::sha256_hex(&bytes)
                .await
                .map_err(|e| ImportError::Unreadable {
                    name: name.clone(),
                    reason: describe(&e),
                })?,
        )
    } else {
        None
    };
    let read = js_sys::Date::now();
    let undecodable = |e: JsValue| ImportError::Undecodable {
        name: name.clone(),
        reason: describe(&e),
    };
    let decoded: AudioBuffer =
        JsFuture::from(context.decode_audio_data(&bytes).map_err(undecodable)?)
            .await
            .and_then(|b| b.dyn_into())
            .map_err(undecodable)?;
    drop(bytes);
    let decoded_at = js_sys::Date::now();
    let (mut info, audio) = prepare(&name, &decoded, context.sample_rate()).await?;
    info.source = Source::File(FileSource {
        path: name.clone(),
        sha256,
    });
    let timings = ImportTimings {
        read_ms: read - started,
        decode_ms: decoded_at - read,
        convert_ms: js_sys::Date::now() - decoded_at,
    };
    Ok((info, audio, timings))
}

async fn prepare_generated(
    name: &str,
    generate: &Generator,
    sample_rate_hz: f32,
) -> Result<(TrackInfo, EngineAudio), ImportError> {
    let channels = generate(sample_rate_hz);
    if channels.iter().any(|c| c.len() != channels[0].len()) {
        return Err(ImportError::BadAudio {
            name: name.to_owned(),
            reason: "its channels differ in length".to_owned(),
        });
    }
    prepare(name, channels.as_slice(), sample_rate_hz).await
}

/// Decoded audio, read a chunk at a time.
trait Decoded {
    /// Number of channels.
    fn channel_count(&self) -> usize;
    /// Length, frames.
    fn frames(&self) -> usize;
    /// Copies `out.len()` frames of `channel` from frame `start` into `out`.
    fn read(&self, channel: usize, start: usize, out: &mut [f32]) -> Result<(), JsValue>;
}

impl Decoded for AudioBuffer {
    fn channel_count(&self) -> usize {
        self.number_of_channels() as usize
    }

    fn frames(&self) -> usize {
        self.length() as usize
    }

    fn read(&self, channel: usize, start: usize, out: &mut [f32]) -> Result<(), JsValue> {
        self.copy_from_channel_with_start_in_channel(out, channel as i32, start as u32)
    }
}

impl Decoded for [Vec<f32>] {
    fn channel_count(&self) -> usize {
        self.len()
    }

    fn frames(&self) -> usize {
        self.first().map_or(0, Vec::len)
    }

    fn read(&self, channel: usize, start: usize, out: &mut [f32]) -> Result<(), JsValue> {
        out.copy_from_slice(&self[channel][start..start + out.len()]);
        Ok(())
    }
}

/// The engine's storage being filled: one typed array per track channel.
enum Storage {
    F32(Vec<Float32Array>),
    I16(Vec<Int16Array>),
}

impl Storage {
    fn new(compact: bool, channels: usize, frames: usize) -> Result<Storage, JsValue> {
        // `new Float32Array(n)` throws a RangeError when the allocation fails; web-sys's
        // constructor cannot say so, hence the checked call.
        let make = |constructor: &str| -> Result<JsValue, JsValue> {
            let constructor = js::get(&js_sys::global(), constructor);
            let args = js_sys::Array::of1(&JsValue::from(frames as u32));
            js_sys::Reflect::construct(constructor.unchecked_ref::<js_sys::Function>(), &args)
        };
        Ok(if compact {
            Storage::I16(
                (0..channels)
                    .map(|_| make("Int16Array").map(JsCast::unchecked_into))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            Storage::F32(
                (0..channels)
                    .map(|_| make("Float32Array").map(JsCast::unchecked_into))
                    .collect::<Result<_, _>>()?,
            )
        })
    }

    /// Writes `samples` to channel `channel` from frame `start`, quantizing when compact.
    fn write(&self, channel: usize, start: usize, samples: &[f32], scratch: &mut [i16]) {
        let (start, end) = (start as u32, (start + samples.len()) as u32);
        match self {
            Storage::F32(arrays) => arrays[channel].subarray(start, end).copy_from(samples),
            Storage::I16(arrays) => {
                let scratch = &mut scratch[..samples.len()];
                for (q, &x) in scratch.iter_mut().zip(samples) {
                    *q = quantize(x);
                }
                arrays[channel].subarray(start, end).copy_from(scratch);
            }
        }
    }

    fn into_audio(self) -> EngineAudio {
        match self {
            Storage::F32(arrays) => {
                EngineAudio::new(false, arrays.iter().map(|a| a.buffer()).collect())
            }
            Storage::I16(arrays) => {
                EngineAudio::new(true, arrays.iter().map(|a| a.buffer()).collect())
            }
        }
    }
}

/// A sample in the engine's compact form: rounded to the nearest multiple of 1/32768, clamped to
/// −1..32767/32768, NaN and ±Inf to 0 (`mixroom_dsp::Source::quantize`, which the page cannot
/// link).
pub fn quantize(x: f32) -> i16 {
    if x.is_finite() {
        (x * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16
    } else {
        0
    }
}

/// Whether a track of `frames` frames at `sample_rate_hz` is stored compactly, as
/// [`mixroom_dsp::Source::for_rate`] stores it.
pub fn is_compact(frames: usize, sample_rate_hz: f32) -> bool {
    frames > mixroom_dsp::Source::compact_above_frames(sample_rate_hz)
}

/// Downmixes `decoded` as needed, computes its overview and peak, and converts it to the
/// engine's storage, a chunk at a time.
async fn prepare(
    name: &str,
    decoded: &(impl Decoded + ?Sized),
    sample_rate_hz: f32,
) -> Result<(TrackInfo, EngineAudio), ImportError> {
    let frames = decoded.frames();
    let file_channels = decoded.channel_count();
    if frames == 0 || file_channels == 0 {
        return Err(ImportError::Empty {
            name: name.to_owned(),
        });
    }
    let Some(plan) = ChannelPlan::for_channels(file_channels) else {
        return Err(ImportError::TooManyChannels {
            name: name.to_owned(),
            channels: file_channels as u32,
        });
    };
    let Ok(frames_u32) = u32::try_from(frames) else {
        return Err(ImportError::OutOfMemory {
            name: name.to_owned(),
            reason: format!("{frames} frames is more than a track can hold"),
        });
    };
    let compact = is_compact(frames, sample_rate_hz);
    let track_channels = plan.track_channels();
    let failed = |e: JsValue| ImportError::OutOfMemory {
        name: name.to_owned(),
        reason: describe(&e),
    };
    let storage = Storage::new(compact, track_channels, frames).map_err(failed)?;
    let chunk = CHUNK_FRAMES.min(frames);
    let mut inputs = vec![vec![0.0_f32; chunk]; if plan.is_downmix() { file_channels } else { 0 }];
    let mut outputs = vec![vec![0.0_f32; chunk]; track_channels];
    let mut scratch = vec![0_i16; if compact { chunk } else { 0 }];
    let mut overview = OverviewBuilder::new(FRAMES_PER_POINT, frames);
    let mut peak_lin = 0.0_f32;
    let mut worked_since = js_sys::Date::now();
    for start in (0..frames).step_by(chunk) {
        let n = chunk.min(frames - start);
        if plan.is_downmix() {
            for (channel, input) in inputs.iter_mut().enumerate() {
                decoded
                    .read(channel, start, &mut input[..n])
                    .map_err(failed)?;
            }
            let [left, right] = outputs.as_mut_slice() else {
                unreachable!("a downmix has two outputs");
            };
            plan.mix(&inputs, n, left, right);
        } else {
            for (channel, output) in outputs.iter_mut().enumerate() {
                decoded
                    .read(channel, start, &mut output[..n])
                    .map_err(failed)?;
            }
        }
        for output in &mut outputs {
            for x in &mut output[..n] {
                if !x.is_finite() {
                    *x = 0.0;
                }
                peak_lin = peak_lin.max(x.abs());
            }
        }
        let slices: Vec<&[f32]> = outputs.iter().map(|o| &o[..n]).collect();
        overview.push(&slices);
        for (channel, samples) in slices.iter().enumerate() {
            storage.write(channel, start, samples, &mut scratch);
        }
        if js_sys::Date::now() - worked_since > YIELD_AFTER_MS {
            js::sleep_ms(0).await.map_err(failed)?;
            worked_since = js_sys::Date::now();
        }
    }
    let info = TrackInfo {
        name: name.to_owned(),
        channels: track_channels as u32,
        file_channels: file_channels as u32,
        frames: frames_u32,
        sample_rate_hz,
        duration_s: frames as f64 / f64::from(sample_rate_hz),
        overview: Rc::new(overview.finish()),
        source: Source::File(FileSource {
            path: name.to_owned(),
            sha256: None,
        }),
        downmixed: plan.is_downmix(),
        peak_lin,
        compact,
    };
    Ok((info, storage.into_audio()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_matches_the_engine() {
        assert_eq!(quantize(0.5), 16_384);
        assert_eq!(quantize(-1.0), -32_768);
        assert_eq!(quantize(1.0), 32_767, "clamped");
        assert_eq!(quantize(-2.0), -32_768, "clamped");
        assert_eq!(quantize(f32::NAN), 0);
        assert_eq!(quantize(f32::INFINITY), 0);
        assert_eq!(quantize(1.4 / 32_768.0), 1);
        assert_eq!(quantize(1.6 / 32_768.0), 2);
        for i in [i16::MIN, -1, 0, 1, 12_345, i16::MAX] {
            assert_eq!(quantize(f32::from(i) / 32_768.0), i);
        }
    }

    #[test]
    fn tracks_longer_than_a_minute_are_compact() {
        assert!(!is_compact(2_880_000, 48_000.0));
        assert!(is_compact(2_880_001, 48_000.0));
        assert!(is_compact(2_646_001, 44_100.0));
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let error = ImportError::Undecodable {
            name: "take 3.wav".to_owned(),
            reason: "Unable to decode audio data".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "Could not import “take 3.wav”: it is not audio this browser can decode \
             (damaged, or an unsupported format: Unable to decode audio data)."
        );
        let empty = ImportError::Empty {
            name: "x.mp3".to_owned(),
        };
        assert_eq!(
            empty.to_string(),
            "Could not import “x.mp3”: the file holds no audio."
        );
    }
}
