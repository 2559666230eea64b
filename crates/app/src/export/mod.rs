//! Export: the mix as a WAV file, and the stems (each track and bus) as a zip of WAV files,
//! rendered faster than real time by the same engine in an `OfflineAudioContext`.
//!
//! **What is rendered.** The mix as it is now ([`Mixer::snapshot`]): every track's audio is
//! prepared again from its origin at the engine's sample rate, and the session is rendered from
//! frame 0 for the length of the longest track, with nothing added or trimmed: the engine's
//! look-ahead latency (the master limiter's, reported in the meters) stays at the start, and a
//! tail that rings past the longest track is cut, exactly as `mixroom-cli render` does with its
//! default `--frames` (the longest source). A 32-bit float export with normalization off is the
//! engine's output bit for bit, so it equals the CLI's render of the same session (within the
//! float rounding of the two builds). Mute and solo count as they are set: the mix exports what
//! is heard.
//!
//! **Stems.** One render per track and per bus that has tracks routed to it, with only that
//! strip soloed (solo-in-place: a track keeps its bus and its sends to the reverb and delay
//! returns, so its reverb is in its stem; a bus brings the tracks routed to it) and every other
//! solo cleared. The master's EQ, glue compressor and limiter are bypassed and its fader set to
//! 0 dB (their latency stays, so every stem lines up with the mix), so the track stems add up to
//! the mix before the master processing, up to the nonlinear processing of buses (a bus
//! compressor hears one track instead of all). A bus stem holds its tracks again: it is a
//! submix, not a part to add to the track stems. A muted strip's stem is silent. Stems are
//! never normalized (that is for the finished mix); their format is the one chosen. Without
//! the limiter a stem may go over full scale: 16- and 24-bit files clip there and the result
//! line names them (32-bit float keeps those peaks).
//!
//! **Normalization** (mix only): see [`normalize`]. The gain is applied before dithering.
//!
//! Errors come back as one sentence for the user; the mix is never changed by an export.

mod download;
pub mod normalize;
pub mod wav;

use js_sys::Float32Array;
use mixroom_protocol::bundle::{crc32, NewEntry, ZipParts};
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use crate::audio::offline::render_offline_with_progress;
use crate::audio::{describe, sleep_ms};
use crate::state::{MixAudio, Mixer};
use crate::text::level;
pub use download::{download, save_blob, save_file};
use normalize::{GainPlan, Loudness, LoudnessTarget};
use wav::WavFormat;

/// File name of a mix export.
pub const MIX_FILE_NAME: &str = "mixroom-mix.wav";
/// File name of a stems export.
pub const STEMS_FILE_NAME: &str = "mixroom-stems.zip";

/// How to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// Sample format.
    pub format: WavFormat,
    /// Loudness target (the mix only; stems ignore it).
    pub target: LoudnessTarget,
    /// Seed of the dither noise: the same seed and mix give the same file.
    pub dither_seed: u64,
}

/// Where an export is, for the progress line.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// Preparing track `track` (1-based) of `of` again from its origin.
    Preparing {
        /// The track, 1-based.
        track: usize,
        /// How many tracks there are.
        of: usize,
    },
    /// Rendering the mix, `percent` done.
    Rendering {
        /// Share of the frames rendered, 0–100.
        percent: u32,
    },
    /// Rendering stem `stem` (1-based) of `of`, named `name`, `percent` done.
    RenderingStem {
        /// The stem, 1-based.
        stem: usize,
        /// How many stems there are.
        of: usize,
        /// The strip's name.
        name: String,
        /// Share of its frames rendered, 0–100.
        percent: u32,
    },
    /// Measuring loudness and true peak.
    Measuring,
    /// Writing the file.
    Encoding,
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::Preparing { track, of } => write!(f, "Preparing track {track} of {of}"),
            Progress::Rendering { percent } => write!(f, "Rendering {percent}%"),
            Progress::RenderingStem {
                stem,
                of,
                name,
                percent,
            } => write!(f, "Rendering stem {stem} of {of} ({name}): {percent}%"),
            Progress::Measuring => f.write_str("Measuring loudness"),
            Progress::Encoding => f.write_str("Writing the file"),
        }
    }
}

/// Why an export failed: one sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportError(pub String);

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail(message: impl Into<String>) -> ExportError {
    ExportError(message.into())
}

/// What an exported file holds.
#[derive(Clone, Debug)]
pub enum Payload {
    /// Bytes in the page's memory (a WAV file, at most 4 GiB).
    Bytes(Vec<u8>),
    /// The parts of a `Blob` (a zip of stems), each held by the browser outside the page's
    /// memory.
    Parts(js_sys::Array),
}

/// Most bytes a stems export may take, together: 16 GiB (the browser keeps the parts until
/// the download is written, on disk when they do not fit in memory).
pub const MAX_STEMS_BYTES: u64 = 16 << 30;

/// A finished export.
#[derive(Clone, Debug)]
pub struct Exported {
    /// The file's name.
    pub file_name: String,
    /// MIME type of the file.
    pub mime: &'static str,
    /// The file's contents.
    pub payload: Payload,
    /// Sample rate, Hz.
    pub sample_rate_hz: f32,
    /// Frames of each WAV file (the longest track).
    pub frames: u32,
    /// WAV files rendered: 1 for a mix, the number of stems for stems.
    pub renders: usize,
    /// The mix's loudness as exported (after the gain, before dither); `None` for stems.
    pub loudness: Option<Loudness>,
    /// The normalization gain; `None` when normalization was off (or for stems).
    pub plan: Option<GainPlan>,
    /// Wall-clock rendering time of every render together, ms.
    pub render_ms: f64,
    /// The WAV files that went over full scale and were clipped (PCM only), by file name.
    pub clipped: Vec<String>,
}

impl Exported {
    /// Audio rendered, all renders together, ms.
    pub fn audio_ms(&self) -> f64 {
        f64::from(self.frames) / f64::from(self.sample_rate_hz) * 1_000.0 * self.renders as f64
    }

    /// How many times faster than real time the rendering ran.
    pub fn speed_ratio(&self) -> f64 {
        self.audio_ms() / self.render_ms.max(1.0)
    }

    /// The result line: "Exported mixroom-mix.wav: 38.4 s, −14.0 LUFS, −1.2 dBTP, rendered 9.5×
    /// faster than real time", with what the true-peak ceiling left short of the target.
    pub fn summary(&self) -> String {
        let seconds = f64::from(self.frames) / f64::from(self.sample_rate_hz);
        let speed = format!("rendered {:.1}× faster than real time", self.speed_ratio());
        let figures = match self.loudness {
            Some(l) => format!(
                "{seconds:.1} s, {}, {}, {speed}",
                level(l.integrated_lufs, "LUFS"),
                level(l.true_peak_dbtp, "dBTP")
            ),
            None => format!("{} stems of {seconds:.1} s, {speed}", self.renders),
        };
        let shortfall = match (self.plan, self.loudness) {
            (Some(plan), Some(l)) if plan.shortfall_lu >= 0.05 => format!(
                " (reached {}; the true-peak ceiling kept it {:.1} LU under the target)",
                level(l.integrated_lufs, "LUFS"),
                plan.shortfall_lu
            ),
            _ => String::new(),
        };
        let clipped = if self.clipped.is_empty() {
            String::new()
        } else {
            format!(
                ". Clipped over full scale: {}; export as 32-bit float to keep those peaks",
                self.clipped.join(", ")
            )
        };
        format!("Exported {}: {figures}{shortfall}{clipped}", self.file_name)
    }
}

/// Gathers the mix and prepares every track's audio again.
async fn prepare(mixer: Mixer, progress: &dyn Fn(Progress)) -> Result<MixAudio, ExportError> {
    mixer
        .mix_audio(
            "export",
            &|track, of| progress(Progress::Preparing { track, of }),
            None,
        )
        .await
        .map_err(ExportError)
}

/// One offline render of `session` with the prepared audio: the two channels in wasm memory
/// and the rendering time, ms.
async fn render(
    prepared: &MixAudio,
    session: &Session,
    progress: &dyn Fn(u32),
) -> Result<([Vec<f32>; 2], f64), ExportError> {
    let report = |done: u32, total: u32| {
        progress((u64::from(done) * 100 / u64::from(total.max(1))) as u32);
    };
    let render = render_offline_with_progress(
        session,
        &prepared.tracks,
        prepared.frames,
        prepared.sample_rate_hz,
        &[],
        [-1; TAPS],
        Some(&report),
    )
    .await
    .map_err(|e| {
        fail(format!(
            "Could not export: the render failed ({}).",
            describe(&e)
        ))
    })?;
    let [left, right] = &render.channels;
    Ok(([to_vec(left)?, to_vec(right)?], render.render_ms))
}

/// Copies a rendered channel into wasm memory, or says that it does not fit.
fn to_vec(array: &Float32Array) -> Result<Vec<f32>, ExportError> {
    let mut samples = Vec::new();
    reserve(&mut samples, array.length() as usize)?;
    samples.resize(array.length() as usize, 0.0);
    array.copy_to(&mut samples);
    Ok(samples)
}

/// Reserves room for `additional` more items, or says that the page is out of memory.
fn reserve<T>(vec: &mut Vec<T>, additional: usize) -> Result<(), ExportError> {
    vec.try_reserve_exact(additional).map_err(|_| {
        let mb = (additional * std::mem::size_of::<T>()).div_ceil(1_000_000);
        fail(format!(
            "Could not export: the page ran out of memory ({mb} MB more were needed). Export a \
             shorter mix, or close other tabs and try again."
        ))
    })
}

/// Lets the page paint the progress line before a long synchronous step.
async fn paint() {
    // A timer task: the browser renders the frame first more often than not.
    let _ = sleep_ms(20).await;
}

/// Renders the mix, measures it, normalizes it to `options.target` and encodes it as a WAV
/// file in `options.format`; nothing is downloaded (see [`download()`]). Reports progress
/// through `progress`.
pub async fn export_mix(
    mixer: Mixer,
    options: ExportOptions,
    progress: &dyn Fn(Progress),
) -> Result<Exported, ExportError> {
    let prepared = prepare(mixer, progress).await?;
    let ([left, right], render_ms) = render(&prepared, &prepared.session, &|percent| {
        progress(Progress::Rendering { percent })
    })
    .await?;
    progress(Progress::Measuring);
    paint().await;
    let rate_hz = prepared.sample_rate_hz;
    let measured = normalize::measure(&left, &right, rate_hz, 1.0);
    let (plan, loudness) = match options.target.loudness_lufs() {
        None => (None, measured),
        Some(target_lufs) => {
            let plan = normalize::plan_gain(measured, target_lufs, options.target.ceiling_dbtp())
                .map_err(|e| fail(format!("Could not export: {e}.")))?;
            let after = normalize::measure(&left, &right, rate_hz, plan.gain_lin());
            (Some(plan), after)
        }
    };
    progress(Progress::Encoding);
    paint().await;
    let gain_lin = plan.map_or(1.0, |p| p.gain_lin());
    let encoded = encode(
        &left,
        &right,
        rate_hz,
        options.format,
        gain_lin,
        options.dither_seed,
    )?;
    let exported = Exported {
        file_name: MIX_FILE_NAME.to_owned(),
        mime: "audio/wav",
        payload: Payload::Bytes(encoded.bytes),
        sample_rate_hz: rate_hz,
        frames: prepared.frames,
        renders: 1,
        loudness: Some(loudness),
        plan,
        render_ms,
        clipped: if encoded.clipped_samples > 0 {
            vec![MIX_FILE_NAME.to_owned()]
        } else {
            Vec::new()
        },
    };
    log_speed(&exported);
    Ok(exported)
}

fn encode(
    left: &[f32],
    right: &[f32],
    sample_rate_hz: f32,
    format: WavFormat,
    gain_lin: f32,
    seed: u64,
) -> Result<wav::Encoded, ExportError> {
    wav::encode(left, right, sample_rate_hz as u32, format, gain_lin, seed)
        .map_err(|e| fail(format!("Could not export: {e}.")))
}

fn log_speed(exported: &Exported) {
    web_sys::console::info_1(
        &format!(
            "mixroom export: {} ({} render(s)) of {:.1} s audio rendered in {:.0} ms, {:.1}× \
             faster than real time",
            exported.file_name,
            exported.renders,
            exported.audio_ms() / 1_000.0,
            exported.render_ms,
            exported.speed_ratio()
        )
        .into(),
    );
}

/// A strip a stem is made of (by position in the session).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StemStrip {
    Track(usize),
    Bus(usize),
}

/// The stems of `session`: every track, then every bus that has tracks routed to it, with the
/// file name of each in the zip ("01 Kick.wav", "Drums (bus).wav").
fn stems(session: &Session) -> Vec<(StemStrip, String, String)> {
    let mut stems: Vec<(StemStrip, String, String)> = session
        .tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let file = format!("{:02} {}.wav", i + 1, file_safe(&t.name));
            (StemStrip::Track(i), t.name.clone(), file)
        })
        .collect();
    for (b, bus) in session.buses.iter().enumerate() {
        let used = session
            .tracks
            .iter()
            .any(|t| t.strip.value(ParamId::Output) as usize == b + 1);
        if !used {
            continue;
        }
        let mut file = format!("{} (bus).wav", file_safe(&bus.name));
        let mut n = 2;
        while stems.iter().any(|(_, _, f)| *f == file) {
            file = format!("{} (bus {n}).wav", file_safe(&bus.name));
            n += 1;
        }
        stems.push((StemStrip::Bus(b), bus.name.clone(), file));
    }
    stems
}

/// `name` without the characters file systems refuse (they become "_").
fn file_safe(name: &str) -> String {
    let safe: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    if safe.is_empty() {
        "untitled".to_owned()
    } else {
        safe
    }
}

/// `session` with only `strip` soloed and the master's processing out (see the module docs).
fn stem_session(session: &Session, strip: StemStrip) -> Session {
    let mut stem = session.clone();
    let solo = ParamId::Solo.spec().key;
    for params in stem
        .tracks
        .iter_mut()
        .map(|t| &mut t.strip.params)
        .chain(stem.buses.iter_mut().map(|b| &mut b.strip.params))
        .chain(stem.returns.iter_mut().map(|r| &mut r.strip.params))
    {
        params.remove(solo);
    }
    match strip {
        StemStrip::Track(i) => stem.tracks[i].strip.set(ParamId::Solo, 1.0),
        StemStrip::Bus(b) => stem.buses[b].strip.set(ParamId::Solo, 1.0),
    }
    for (param, value) in [
        (ParamId::EqBypass, 1.0),
        (ParamId::CompBypass, 1.0),
        (ParamId::LimiterBypass, 1.0),
        (ParamId::GainDb, 0.0),
    ] {
        stem.master.set(param, value);
    }
    stem
}

/// Bytes a zip of `count` stems of `frames` frames in `format` takes, at most (headers
/// included), computed in 64 bits.
pub fn stems_bytes(frames: u32, format: WavFormat, count: usize) -> u64 {
    let wav = u64::from(frames) * 2 * u64::from(format.bits() / 8) + 128;
    (count as u64) * (wav + 256) + 1_024
}

/// Refuses, with a message, a stems export larger than [`MAX_STEMS_BYTES`].
fn stems_fit(frames: u32, format: WavFormat, count: usize) -> Result<(), ExportError> {
    let total_bytes = stems_bytes(frames, format, count);
    if total_bytes > MAX_STEMS_BYTES {
        return Err(fail(format!(
            "Could not export: the {count} stems would take {:.1} GB, more than the {} GiB a \
             stems export may take. Export them as 16-bit, or export the mix.",
            total_bytes as f64 / 1e9,
            MAX_STEMS_BYTES >> 30
        )));
    }
    Ok(())
}

/// Renders one stem per track and per used bus (see the module docs) and packs them, in
/// `options.format`, into a zip of stored (uncompressed) WAV files; nothing is downloaded (see
/// [`download()`]). Reports progress through `progress`.
pub async fn export_stems(
    mixer: Mixer,
    options: ExportOptions,
    progress: &dyn Fn(Progress),
) -> Result<Exported, ExportError> {
    let prepared = prepare(mixer, progress).await?;
    let stems = stems(&prepared.session);
    stems_fit(prepared.frames, options.format, stems.len())?;
    let mut zip = ZipParts::new();
    let parts = js_sys::Array::new();
    let zip_failed = |e: &dyn std::fmt::Display| {
        fail(format!(
            "Could not export: the zip file could not be written ({e})."
        ))
    };
    let part = |bytes: &[u8]| -> Result<(), ExportError> {
        let copy = js_sys::Uint8Array::from(bytes);
        let blob =
            web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&copy)).map_err(|e| {
                fail(format!(
                    "Could not export: the browser has no room for the stems ({}).",
                    describe(&e)
                ))
            })?;
        parts.push(&blob);
        Ok(())
    };
    let mut render_ms = 0.0;
    let mut clipped = Vec::new();
    let count = stems.len();
    for (i, (strip, name, file)) in stems.iter().enumerate() {
        let session = stem_session(&prepared.session, *strip);
        let report = |percent| {
            progress(Progress::RenderingStem {
                stem: i + 1,
                of: count,
                name: name.clone(),
                percent,
            })
        };
        let ([left, right], ms) = render(&prepared, &session, &report).await?;
        render_ms += ms;
        let seed = options.dither_seed.wrapping_add(i as u64);
        let encoded = encode(
            &left,
            &right,
            prepared.sample_rate_hz,
            options.format,
            1.0,
            seed,
        )?;
        if encoded.clipped_samples > 0 {
            clipped.push(file.clone());
        }
        let entry = NewEntry::stored(file, encoded.bytes.len() as u64, crc32(&encoded.bytes));
        part(&zip.entry(&entry).map_err(|e| zip_failed(&e))?)?;
        part(&encoded.bytes)?;
    }
    progress(Progress::Encoding);
    part(&zip.finish())?;
    let exported = Exported {
        file_name: STEMS_FILE_NAME.to_owned(),
        mime: "application/zip",
        payload: Payload::Parts(parts),
        sample_rate_hz: prepared.sample_rate_hz,
        frames: prepared.frames,
        renders: count,
        loudness: None,
        plan: None,
        render_ms,
        clipped,
    };
    log_speed(&exported);
    Ok(exported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixroom_protocol::session::{NamedStrip, Source, Strip, Track, Transport, SESSION_VERSION};

    fn session() -> Session {
        let track = |name: &str, output: f32| {
            let mut strip = Strip::default();
            strip.set(ParamId::Output, output);
            strip.set(ParamId::Solo, 1.0);
            Track {
                name: name.to_owned(),
                source: Source::Demo(name.to_owned()),
                color: None,
                strip,
            }
        };
        let bus = |name: &str| NamedStrip {
            name: name.to_owned(),
            color: None,
            strip: Strip::default(),
        };
        Session {
            tracks: vec![track("Kick", 1.0), track("Lead: a/b", 0.0)],
            buses: vec![bus("Drums"), bus("Unused")],
            returns: Vec::new(),
            master: Strip::default(),
            transport: Transport::default(),
            version: SESSION_VERSION,
        }
    }

    /// Reference: the module docs: every track numbered, then the buses tracks go to.
    #[test]
    fn stems_are_every_track_and_every_used_bus() {
        let names: Vec<String> = stems(&session()).into_iter().map(|s| s.2).collect();
        assert_eq!(
            names,
            ["01 Kick.wav", "02 Lead_ a_b.wav", "Drums (bus).wav"]
        );
        assert_eq!(file_safe("  "), "untitled");
    }

    /// Reference: the module docs: only the stem's strip soloed, the master's processing out.
    #[test]
    fn a_stem_solos_its_strip_alone_and_bypasses_the_master() {
        let mut session = session();
        session.master.set(ParamId::GainDb, -6.0);
        let stem = stem_session(&session, StemStrip::Bus(0));
        let solo = |s: &Strip| s.value(ParamId::Solo);
        assert_eq!(
            stem.tracks
                .iter()
                .map(|t| solo(&t.strip))
                .collect::<Vec<_>>(),
            [0.0, 0.0]
        );
        assert_eq!(solo(&stem.buses[0].strip), 1.0);
        assert_eq!(solo(&stem.buses[1].strip), 0.0);
        for (param, value) in [
            (ParamId::EqBypass, 1.0),
            (ParamId::CompBypass, 1.0),
            (ParamId::LimiterBypass, 1.0),
            (ParamId::GainDb, 0.0),
        ] {
            assert_eq!(stem.master.value(param), value, "{param:?}");
        }
        let track = stem_session(&session, StemStrip::Track(1));
        assert_eq!(solo(&track.tracks[1].strip), 1.0);
        assert_eq!(solo(&track.tracks[0].strip), 0.0);
        assert!(track.check().is_ok());
    }

    /// Reference: 64 stems of 10 min at 48 kHz in 32-bit float take 64 × (28.8 M frames × 8 B
    /// plus 384 B) plus 1 KiB: past 4 GiB (where 32-bit sizes wrapped), within 16 GiB; an
    /// hour each does not fit.
    #[test]
    fn stems_sizes_are_counted_in_64_bits() {
        let ten_minutes = 48_000 * 600;
        let bytes = stems_bytes(ten_minutes, WavFormat::Float32, 64);
        assert_eq!(bytes, 64 * (u64::from(ten_minutes) * 8 + 384) + 1_024);
        assert!(bytes > u64::from(u32::MAX));
        assert!(stems_fit(ten_minutes, WavFormat::Float32, 64).is_ok());
        let message = stems_fit(ten_minutes * 6, WavFormat::Float32, 64)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("88.5 GB") && message.contains("16 GiB"),
            "{message}"
        );
    }

    /// Reference: the format of the result line in the issue.
    #[test]
    fn the_summary_names_the_figures() {
        let exported = Exported {
            file_name: MIX_FILE_NAME.to_owned(),
            mime: "audio/wav",
            payload: Payload::Bytes(Vec::new()),
            sample_rate_hz: 48_000.0,
            frames: 48_000 * 38 + 19_200,
            renders: 1,
            loudness: Some(Loudness {
                integrated_lufs: -15.2,
                true_peak_dbtp: -1.01,
            }),
            plan: Some(GainPlan {
                gain_db: 3.0,
                shortfall_lu: 1.2,
            }),
            render_ms: 38_400.0 / 9.5,
            clipped: Vec::new(),
        };
        assert_eq!(
            exported.summary(),
            "Exported mixroom-mix.wav: 38.4 s, −15.2 LUFS, −1.0 dBTP, rendered 9.5× faster \
             than real time (reached −15.2 LUFS; the true-peak ceiling kept it 1.2 LU under the \
             target)"
        );
        let stems = Exported {
            file_name: STEMS_FILE_NAME.to_owned(),
            renders: 15,
            loudness: None,
            plan: None,
            clipped: vec!["Drums (bus).wav".to_owned()],
            ..exported
        };
        assert_eq!(
            stems.summary(),
            "Exported mixroom-stems.zip: 15 stems of 38.4 s, rendered 142.5× faster than real \
             time. Clipped over full scale: Drums (bus).wav; export as 32-bit float to keep those \
             peaks"
        );
    }
}
