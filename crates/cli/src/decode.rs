//! Decoding audio files into f32 channels at the file's own rate, natively, with symphonia
//! (pure Rust): WAV, AIFF, FLAC, MP3, Ogg Vorbis, and AAC or ALAC in MP4/M4A.
//!
//! This stands in for the browser's `decodeAudioData` (before the page's import makes a track
//! of the channels, see `sources`). Integer PCM converts as the browser does, sample / 2^(bits−1):
//! symphonia divides 8-, 16- and 24-bit samples by 2^(bits−1) in f32, which is exact (the
//! quotient of an integer below 2^24 by a power of two), and 32-bit samples in f64 rounded once
//! to f32. Float WAV passes bit for bit. The tests check both on files written by hound.
//!
//! Channels come in the decoder's order: the WAVE order for WAV and FLAC (the browser's too).
//! Vorbis and AAC files of more than two channels are not reordered to it (the browser does).
//!
//! A hostile file must not take the program down: a panic inside symphonia is caught (quietly:
//! no panic message on stderr) and reported as [`DecodeError::Crashed`], a file longer than
//! [`MAX_HOURS`] is refused as it decodes, and so is one whose samples would take more memory
//! than the budget ([`set_memory_budget`], [`DecodeError::OverBudget`]) beside the samples
//! the command already holds ([`hold`], [`pin`]): what is allocated is bounded by what the
//! machine can hold, not by what the files claim (a 2 MB FLAC of 24 hours of silence decodes
//! to tens of GB, and ten files each within the budget are not within it together). RF64 files (WAV over 4 GiB, EBU Tech 3306, what
//! `mixroom render` writes for renders that large) are refused by name: symphonia 0.6 does not
//! read them.

use std::cell::Cell;
use std::fmt;
use std::io::{Cursor, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use mixroom_protocol::units::memory_size;
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

/// The formats named to the user when a file is not one of them.
pub const FORMATS: &str = "WAV, AIFF, FLAC, MP3, Ogg Vorbis, or AAC/ALAC in MP4";

/// Longest file decoded, hours at the file's own rate (the longest `mixroom render` writes).
pub const MAX_HOURS: u64 = 24;

/// The memory budget of decoded samples by default, bytes (4 GiB).
pub const DEFAULT_MEMORY_BUDGET: u64 = 4 << 30;

thread_local! {
    /// The memory decoded samples may take on this thread (the command decodes on its main
    /// thread), bytes ([`set_memory_budget`]).
    static MEMORY_BUDGET: Cell<u64> = const { Cell::new(DEFAULT_MEMORY_BUDGET) };
    /// Whether a file was refused for the budget on this thread ([`over_budget_met`]).
    static OVER_BUDGET: Cell<bool> = const { Cell::new(false) };
    /// Samples the command keeps for all its work ([`pin`]), bytes.
    static PINNED: Cell<u64> = const { Cell::new(0) };
    /// Samples the work under way holds ([`hold`], [`Work`]), bytes.
    static HELD: Cell<u64> = const { Cell::new(0) };
}

/// Sets the memory the samples the command holds (decoded, and resampled) may take together,
/// bytes: a file that would take them past it is refused ([`DecodeError::OverBudget`]). The
/// command line's `--max-memory`.
pub fn set_memory_budget(bytes: u64) {
    MEMORY_BUDGET.set(bytes);
}

/// The memory budget, bytes ([`set_memory_budget`]).
pub fn memory_budget() -> u64 {
    MEMORY_BUDGET.get()
}

/// Whether some file has been refused for the memory budget (the command then exits with
/// code 2).
pub fn over_budget_met() -> bool {
    OVER_BUDGET.get()
}

/// Counts `bytes` of samples kept by the work under way (a track of the mix being rendered or
/// checked) until that [`Work`] ends.
pub fn hold(bytes: u64) {
    HELD.set(HELD.get().saturating_add(bytes));
}

/// Counts `bytes` of samples kept for the rest of the command (a check's reference recording,
/// heard by every mix checked).
pub fn pin(bytes: u64) {
    PINNED.set(PINNED.get().saturating_add(bytes));
}

/// Samples held now ([`hold`] and [`pin`]), bytes.
pub fn in_use() -> u64 {
    PINNED.get().saturating_add(HELD.get())
}

/// One piece of a command's work (a render, one mix of `mixroom check`): what it [`hold`]s is
/// freed, and no longer counted, when it is dropped.
pub struct Work {
    /// What was held when it started, bytes.
    before: u64,
}

impl Work {
    /// Starts a piece of work.
    pub fn start() -> Work {
        Work { before: HELD.get() }
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        HELD.set(self.before);
    }
}

/// [`DecodeError::OverBudget`], remembered for [`over_budget_met`]: the error when `bytes`
/// more of samples, beside those held ([`in_use`]), are more than the budget.
pub fn over_budget(bytes: u64) -> Option<DecodeError> {
    let held = in_use();
    (held.saturating_add(bytes) > memory_budget()).then(|| {
        OVER_BUDGET.set(true);
        DecodeError::OverBudget {
            budget: memory_budget(),
            held,
        }
    })
}

/// Longest panic message kept in a [`DecodeError::Crashed`], characters.
const MAX_MESSAGE_CHARS: usize = 200;

/// A decoded file.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The file's sample rate, Hz.
    pub sample_rate_hz: u32,
    /// The samples, one `Vec` per channel (all equally long), linear full scale.
    pub channels: Vec<Vec<f32>>,
}

/// Why a file could not be decoded. `Display` is the end of a sentence that starts with the
/// file's name: "x.mp3 is not an audio file ...".
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    /// No bytes at all.
    Empty,
    /// No known container format.
    UnknownFormat,
    /// A container without an audio track.
    NoAudio,
    /// The audio track's codec is not one symphonia decodes here.
    UnsupportedCodec(String),
    /// The data ends before the container says it does.
    Truncated,
    /// Malformed data.
    Damaged(String),
    /// Audio of zero frames.
    Silent,
    /// Longer than the limit: [`MAX_HOURS`], or the frames a caller allowed
    /// ([`Keep::AtMostFrames`]).
    TooLong,
    /// An RF64 file (a WAV over 4 GiB), which the decoders do not read.
    Rf64,
    /// Its samples would take more memory than the budget ([`set_memory_budget`]) leaves.
    OverBudget {
        /// The budget, bytes.
        budget: u64,
        /// What the command held already, bytes ([`in_use`]).
        held: u64,
    },
    /// The decoder panicked on the file (a bug in it, met with damaged or hostile data).
    Crashed {
        /// The first line of the panic message (at most 200 characters).
        message: String,
        /// Where in the decoder's source it panicked (`file:line:column`).
        location: String,
    },
    /// The file could not be read.
    Io(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "is empty"),
            DecodeError::UnknownFormat => {
                write!(f, "is not an audio file Mixroom can read ({FORMATS})")
            }
            DecodeError::NoAudio => write!(f, "has no audio track"),
            DecodeError::UnsupportedCodec(why) => {
                write!(f, "uses an audio codec Mixroom cannot decode ({why})")
            }
            DecodeError::Truncated => write!(f, "ends early: the file is cut short"),
            DecodeError::Damaged(why) => write!(f, "is damaged ({why})"),
            DecodeError::Silent => write!(f, "holds no audio (zero samples)"),
            DecodeError::TooLong => write!(
                f,
                "is too long: Mixroom reads files of up to {MAX_HOURS} hours"
            ),
            DecodeError::Rf64 => write!(
                f,
                "is an RF64 file (a WAV over 4 GiB), which Mixroom cannot read yet"
            ),
            DecodeError::OverBudget { budget, held: 0 } => write!(
                f,
                "needs more than {} of memory for its samples, the budget (--max-memory \
                 changes it)",
                memory_size(*budget)
            ),
            DecodeError::OverBudget { budget, held } => write!(
                f,
                "needs more memory for its samples than the budget of {} leaves beside the {} \
                 that the audio before it takes (--max-memory changes it)",
                memory_size(*budget),
                memory_size(*held)
            ),
            DecodeError::Crashed { message, .. } => write!(
                f,
                "could not be decoded (the decoder crashed: {message}); the file may be damaged"
            ),
            DecodeError::Io(why) => write!(f, "could not be read ({why})"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The first four bytes of an RF64 file.
const RF64_MAGIC: &[u8] = b"RF64";

/// How much of a file to decode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Keep {
    /// The whole file (up to [`MAX_HOURS`]).
    All,
    /// Its first seconds: decoding stops there, without an error (a render of N frames needs
    /// no more).
    FirstSeconds(f64),
    /// At most this many frames: one more refuses the file ([`DecodeError::TooLong`]).
    AtMostFrames(u64),
}

/// Decodes a file held in memory (a bundle's entry), as much as `keep` says; `name_hint` is the
/// file's name, whose extension helps find the format.
pub fn decode_bytes(bytes: &[u8], name_hint: &str, keep: Keep) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.starts_with(RF64_MAGIC) {
        return Err(DecodeError::Rf64);
    }
    decode(Box::new(Cursor::new(bytes)), name_hint, keep)
}

/// Decodes a file on disk (read as it is decoded, not loaded whole first), as much as `keep`
/// says.
pub fn decode_file(path: &Path, keep: Keep) -> Result<Decoded, DecodeError> {
    let file = std::fs::File::open(path).map_err(|e| DecodeError::Io(e.to_string()))?;
    decode_seekable(file, &path.to_string_lossy(), keep)
}

/// Decodes a file read as it is decoded from `source` (a file, or a window on one: a bundle's
/// stored entry), from its start, as much as `keep` says; `name_hint` as for [`decode`].
pub fn decode_seekable<'a>(
    mut source: impl MediaSource + 'a,
    name_hint: &str,
    keep: Keep,
) -> Result<Decoded, DecodeError> {
    let io = |e: std::io::Error| DecodeError::Io(e.to_string());
    let mut magic = Vec::with_capacity(RF64_MAGIC.len());
    (&mut source).take(4).read_to_end(&mut magic).map_err(io)?;
    if magic.is_empty() {
        return Err(DecodeError::Empty);
    }
    if magic == RF64_MAGIC {
        return Err(DecodeError::Rf64);
    }
    source.rewind().map_err(io)?;
    decode(Box::new(source), name_hint, keep)
}

/// Decodes the first audio track of `source` from its start, as much as `keep` says (and at
/// most [`MAX_HOURS`], within the memory budget). `name_hint` is the file's name (its extension
/// is a hint to the format probe). A panic in the decoder is caught and returned as
/// [`DecodeError::Crashed`].
pub fn decode<'a>(
    source: Box<dyn MediaSource + 'a>,
    name_hint: &str,
    keep: Keep,
) -> Result<Decoded, DecodeError> {
    catch_quietly(|| decode_uncaught(source, name_hint, keep)).unwrap_or_else(Err)
}

thread_local! {
    /// Whether a panic on this thread is being caught by [`catch_quietly`] (and so not printed).
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic caught by [`catch_quietly`] on this thread happened.
    static LOCATION: Cell<Option<String>> = const { Cell::new(None) };
}

/// Runs `f`; a panic inside it is returned as [`DecodeError::Crashed`] instead of unwinding
/// further, and is not printed (other threads' panics, and this one's outside `f`, are printed
/// by the hook that was installed before, as usual).
fn catch_quietly<T>(f: impl FnOnce() -> T) -> Result<T, DecodeError> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.get() {
                LOCATION.set(info.location().map(|l| l.to_string()));
            } else {
                previous(info);
            }
        }));
    });
    let outer = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(outer);
    result.map_err(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic without a message");
        DecodeError::Crashed {
            message: text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(MAX_MESSAGE_CHARS)
                .collect(),
            location: LOCATION.take().unwrap_or_default(),
        }
    })
}

/// [`decode`] without catching panics.
fn decode_uncaught<'a>(
    source: Box<dyn MediaSource + 'a>,
    name_hint: &str,
    keep: Keep,
) -> Result<Decoded, DecodeError> {
    let stream = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = Path::new(name_hint).extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            Error::IoError(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
                DecodeError::Io(e.to_string())
            }
            _ => DecodeError::UnknownFormat,
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or(DecodeError::NoAudio)?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(DecodeError::NoAudio)?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &Default::default())
        .map_err(|e| DecodeError::UnsupportedCodec(e.to_string()))?;
    let mut sample_rate_hz = params.sample_rate.unwrap_or(0);
    let mut channels: Vec<Vec<f32>> = Vec::new();
    let mut planes: Vec<Vec<f32>> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(e) => return Err(failure(e)),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buffer = decoder.decode(&packet).map_err(failure)?;
        if buffer.frames() == 0 {
            continue;
        }
        sample_rate_hz = buffer.spec().rate();
        buffer.copy_to_vecs_planar::<f32>(&mut planes);
        if channels.is_empty() {
            channels = vec![Vec::new(); planes.len()];
        } else if channels.len() != planes.len() {
            return Err(DecodeError::Damaged(
                "the number of channels changes midway".to_owned(),
            ));
        }
        let rate = u64::from(sample_rate_hz.max(1));
        let limit = match keep {
            Keep::AtMostFrames(frames) => frames,
            _ => u64::MAX,
        }
        .min(MAX_HOURS * 3_600 * rate);
        let had = channels.first().map_or(0, Vec::len);
        let mut take = planes.first().map_or(0, Vec::len);
        if let Keep::FirstSeconds(seconds) = keep {
            let wanted = (seconds.max(0.0) * rate as f64).ceil() as usize;
            take = take.min(wanted.saturating_sub(had));
        }
        let decoded = had + take;
        if decoded as u64 > limit {
            return Err(DecodeError::TooLong);
        }
        // What the channels will hold once grown (a Vec at least doubles), f32 each.
        let capacity = channels.first().map_or(0, Vec::capacity);
        let grown = if decoded > capacity {
            decoded.max(2 * capacity)
        } else {
            capacity
        };
        if let Some(over) = over_budget(grown as u64 * 4 * channels.len() as u64) {
            return Err(over);
        }
        for (channel, plane) in channels.iter_mut().zip(&planes) {
            channel.extend_from_slice(&plane[..take]);
        }
        if matches!(keep, Keep::FirstSeconds(_)) && take < planes.first().map_or(0, Vec::len) {
            break;
        }
    }
    if channels.first().is_none_or(Vec::is_empty) {
        return Err(DecodeError::Silent);
    }
    if sample_rate_hz == 0 {
        return Err(DecodeError::Damaged("no sample rate".to_owned()));
    }
    // Kept as long as the mix is: no more room than the samples (what the budget counts).
    for channel in &mut channels {
        channel.shrink_to_fit();
    }
    Ok(Decoded {
        sample_rate_hz,
        channels,
    })
}

/// The user's reason for a failure in the middle of the stream.
fn failure(e: Error) -> DecodeError {
    match e {
        Error::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Truncated
        }
        Error::IoError(e) => DecodeError::Io(e.to_string()),
        Error::Unsupported(what) => DecodeError::UnsupportedCodec(what.to_owned()),
        other => DecodeError::Damaged(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV file in memory, written by hound: `frames` of `channels` interleaved samples.
    fn wav<S: hound::Sample + Copy>(
        channels: u16,
        bits: u16,
        format: hound::SampleFormat,
        samples: &[S],
    ) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels,
            sample_rate: 44_100,
            bits_per_sample: bits,
            sample_format: format,
        };
        let mut bytes = Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
        for &s in samples {
            writer.write_sample(s).unwrap();
        }
        writer.finalize().unwrap();
        bytes.into_inner()
    }

    #[test]
    fn integer_pcm_reads_as_sample_over_two_to_the_bits_minus_one() {
        // Hand-computed: 16 bits divide by 2^15 = 32768, 24 bits by 2^23 = 8388608.
        let int16: [i16; 6] = [-32_768, -1, 0, 1, 16_384, 32_767];
        let decoded = decode_bytes(
            &wav(1, 16, hound::SampleFormat::Int, &int16),
            "a.wav",
            Keep::All,
        )
        .unwrap();
        assert_eq!(decoded.sample_rate_hz, 44_100);
        assert_eq!(
            decoded.channels,
            [vec![
                -1.0,
                -1.0 / 32_768.0,
                0.0,
                1.0 / 32_768.0,
                0.5,
                32_767.0 / 32_768.0
            ]]
        );
        let int24: [i32; 6] = [-8_388_608, -1, 3, 4_194_304, -2_097_152, 8_388_607];
        let decoded = decode_bytes(
            &wav(2, 24, hound::SampleFormat::Int, &int24),
            "b.wav",
            Keep::All,
        )
        .unwrap();
        assert_eq!(
            decoded.channels,
            [
                vec![-1.0, 3.0 / 8_388_608.0, -0.25],
                vec![-1.0 / 8_388_608.0, 0.5, 8_388_607.0 / 8_388_608.0]
            ]
        );
    }

    #[test]
    fn float_wav_passes_bit_for_bit() {
        let samples = [0.5_f32, -0.25, 1e-7, 1.5, -1.0, 0.1];
        let decoded = decode_bytes(
            &wav(3, 32, hound::SampleFormat::Float, &samples),
            "c",
            Keep::All,
        )
        .unwrap();
        assert_eq!(
            decoded.channels,
            [vec![0.5, 1.5], vec![-0.25, -1.0], vec![1e-7, 0.1]]
        );
    }

    #[test]
    fn a_render_decodes_only_what_it_needs_and_the_budget_bounds_the_rest() {
        // Reference: issue 23; 44 100 frames a second, f32 samples, a Vec at least doubling.
        let samples = vec![7_i16; 44_100 * 3];
        let file = wav(1, 16, hound::SampleFormat::Int, &samples);
        let first = decode_bytes(&file, "a.wav", Keep::FirstSeconds(0.5)).unwrap();
        assert_eq!(first.channels[0].len(), 22_050);
        let all = decode_bytes(&file, "a.wav", Keep::All).unwrap();
        assert_eq!(all.channels[0].len(), 3 * 44_100);
        assert_eq!(
            decode_bytes(&file, "a.wav", Keep::AtMostFrames(44_100)),
            Err(DecodeError::TooLong)
        );
        assert!(!over_budget_met());
        set_memory_budget(4 * 44_100);
        let refused = decode_bytes(&file, "a.wav", Keep::All);
        set_memory_budget(DEFAULT_MEMORY_BUDGET);
        assert_eq!(
            refused,
            Err(DecodeError::OverBudget {
                budget: 4 * 44_100,
                held: 0
            })
        );
        assert!(over_budget_met());
        assert!(refused.unwrap_err().to_string().contains("--max-memory"));
    }

    #[test]
    fn refuses_what_is_not_audio() {
        assert_eq!(
            decode_bytes(b"", "x.wav", Keep::All),
            Err(DecodeError::Empty)
        );
        assert_eq!(
            decode_bytes(b"just some text, not an mp3\n", "x.mp3", Keep::All),
            Err(DecodeError::UnknownFormat)
        );
        let whole = wav(2, 16, hound::SampleFormat::Int, &[1_i16; 20_000]);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(
            decode_bytes(cut, "t.wav", Keep::All),
            Err(DecodeError::Truncated)
        );
        let none = wav::<i16>(1, 16, hound::SampleFormat::Int, &[]);
        assert_eq!(
            decode_bytes(&none, "n.wav", Keep::All),
            Err(DecodeError::Silent)
        );
    }
}
