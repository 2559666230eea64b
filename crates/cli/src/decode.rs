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
//! no panic message on stderr) and reported as [`DecodeError::Crashed`], and a file longer than
//! [`MAX_HOURS`] is refused as it decodes. RF64 files (WAV over 4 GiB, EBU Tech 3306, what
//! `mixroom render` writes for renders that large) are refused by name: symphonia 0.6 does not
//! read them.

use std::cell::Cell;
use std::fmt;
use std::io::{Cursor, Read, Seek};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

/// The formats named to the user when a file is not one of them.
pub const FORMATS: &str = "WAV, AIFF, FLAC, MP3, Ogg Vorbis, or AAC/ALAC in MP4";

/// Longest file decoded, hours at the file's own rate (the longest `mixroom render` writes).
pub const MAX_HOURS: u64 = 24;

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
    /// Longer than the limit: [`MAX_HOURS`], or the frames a caller passed to
    /// [`decode_bytes_capped`].
    TooLong,
    /// An RF64 file (a WAV over 4 GiB), which the decoders do not read.
    Rf64,
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

/// Decodes a whole file held in memory (a bundle's entry); `name_hint` is the file's name,
/// whose extension helps find the format.
pub fn decode_bytes(bytes: &[u8], name_hint: &str) -> Result<Decoded, DecodeError> {
    decode_bytes_capped(bytes, name_hint, u64::MAX)
}

/// As [`decode_bytes`], also refusing ([`DecodeError::TooLong`]) a file of more than
/// `max_frames` frames as soon as it has decoded them: a fuzzer bounds its memory with it.
pub fn decode_bytes_capped(
    bytes: &[u8],
    name_hint: &str,
    max_frames: u64,
) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.starts_with(RF64_MAGIC) {
        return Err(DecodeError::Rf64);
    }
    decode(Box::new(Cursor::new(bytes)), name_hint, max_frames)
}

/// Decodes a file on disk (read as it is decoded, not loaded whole first).
pub fn decode_file(path: &Path) -> Result<Decoded, DecodeError> {
    let io = |e: std::io::Error| DecodeError::Io(e.to_string());
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        return Err(DecodeError::Empty);
    }
    let mut magic = Vec::with_capacity(RF64_MAGIC.len());
    (&mut file).take(4).read_to_end(&mut magic).map_err(io)?;
    if magic == RF64_MAGIC {
        return Err(DecodeError::Rf64);
    }
    file.rewind().map_err(io)?;
    decode(Box::new(file), &path.to_string_lossy(), u64::MAX)
}

/// Decodes the first audio track of `source` from start to end, at most `max_frames` frames
/// (and [`MAX_HOURS`]). `name_hint` is the file's name (its extension is a hint to the format
/// probe). A panic in the decoder is caught and returned as [`DecodeError::Crashed`].
pub fn decode<'a>(
    source: Box<dyn MediaSource + 'a>,
    name_hint: &str,
    max_frames: u64,
) -> Result<Decoded, DecodeError> {
    catch_quietly(|| decode_uncaught(source, name_hint, max_frames)).unwrap_or_else(Err)
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
    max_frames: u64,
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
        let limit = max_frames.min(MAX_HOURS * 3_600 * u64::from(sample_rate_hz.max(1)));
        let decoded = channels.first().map_or(0, Vec::len) + planes.first().map_or(0, Vec::len);
        if decoded as u64 > limit {
            return Err(DecodeError::TooLong);
        }
        for (channel, plane) in channels.iter_mut().zip(&planes) {
            channel.extend_from_slice(plane);
        }
    }
    if channels.first().is_none_or(Vec::is_empty) {
        return Err(DecodeError::Silent);
    }
    if sample_rate_hz == 0 {
        return Err(DecodeError::Damaged("no sample rate".to_owned()));
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
        let decoded = decode_bytes(&wav(1, 16, hound::SampleFormat::Int, &int16), "a.wav").unwrap();
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
        let decoded = decode_bytes(&wav(2, 24, hound::SampleFormat::Int, &int24), "b.wav").unwrap();
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
        let decoded = decode_bytes(&wav(3, 32, hound::SampleFormat::Float, &samples), "c").unwrap();
        assert_eq!(
            decoded.channels,
            [vec![0.5, 1.5], vec![-0.25, -1.0], vec![1e-7, 0.1]]
        );
    }

    #[test]
    fn refuses_what_is_not_audio() {
        assert_eq!(decode_bytes(b"", "x.wav"), Err(DecodeError::Empty));
        assert_eq!(
            decode_bytes(b"just some text, not an mp3\n", "x.mp3"),
            Err(DecodeError::UnknownFormat)
        );
        let whole = wav(2, 16, hound::SampleFormat::Int, &[1_i16; 20_000]);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(decode_bytes(cut, "t.wav"), Err(DecodeError::Truncated));
        let none = wav::<i16>(1, 16, hound::SampleFormat::Int, &[]);
        assert_eq!(decode_bytes(&none, "n.wav"), Err(DecodeError::Silent));
    }
}
