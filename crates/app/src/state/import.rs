//! Files become tracks: each file is decoded and loaded into a free track, then joins the end of
//! the console with fresh settings. The files of one drop (or pick) undo as one step. A file
//! that fails leaves everything as it was; the others carry on.

use std::rc::Rc;

use mixroom_protocol::session::{FileSource, Source};
use mixroom_protocol::strips::{StripIndex, MAX_TRACKS};
use mixroom_protocol::validate::MAX_NAME_CHARS;
use web_sys::File;

use super::{Edit, Mixer};
use crate::audio::import::{import_file, ImportError, ImportTimings, TrackInfo};
use crate::audio::worklet_node::EngineMemory;
use crate::audio::AudioBridge;

/// A file that became a track. The timings and the memory are for the end-to-end suite, which
/// reports them.
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "e2e"), allow(dead_code))]
pub struct Imported {
    /// Its track.
    pub strip: StripIndex,
    /// What the page keeps about its audio.
    pub info: TrackInfo,
    /// Where the decoding time went.
    pub timings: ImportTimings,
    /// From the end of decoding until the engine had the audio, ms.
    pub load_ms: f64,
    /// How long the load took on the audio thread, ms.
    pub engine_load_ms: f64,
    /// The engine's memory right after the load.
    pub memory: EngineMemory,
    /// Whether the file was one a track on screen waited for (matched by its SHA-256): it
    /// went to that track instead of a new one.
    pub awaited: bool,
}

/// Imports `files` one after another. Before each, `progress(index, count, name)`; after each,
/// `done(name, result)`. Returns how many became tracks.
pub async fn import_files(
    mixer: Mixer,
    files: Vec<File>,
    mut progress: impl FnMut(usize, usize, &str),
    mut done: impl FnMut(&str, &Result<Imported, ImportError>),
) -> usize {
    let count = files.len();
    let mut anchor: Option<Edit> = None;
    let mut loaded = 0;
    for (index, file) in files.into_iter().enumerate() {
        let name = file.name();
        progress(index, count, &name);
        let song_before = mixer.song_frames();
        let result = import_one(mixer, file).await;
        if let Ok(imported) = &result {
            if imported.awaited {
                mixer.found(imported.strip);
            } else {
                let edit = mixer.add_track(imported.strip, track_name(&name), anchor.as_ref());
                anchor.get_or_insert(edit);
            }
            extend_whole_song_loop(mixer, song_before);
            loaded += 1;
        }
        done(&name, &result);
    }
    loaded
}

/// Decodes `file` and loads it into the track waiting for it (same SHA-256), or else a free
/// track. When the engine runs out of memory while removed tracks still hold theirs, the
/// history is forgotten to free it, and the file tried once more.
async fn import_one(mixer: Mixer, file: File) -> Result<Imported, ImportError> {
    let name = file.name();
    let bridge: Rc<AudioBridge> =
        mixer
            .with_bridge(Rc::clone)
            .ok_or_else(|| ImportError::Engine {
                name: name.clone(),
                reason: "the audio engine is not running".to_owned(),
            })?;
    let mut retried = false;
    loop {
        let imported = import_file(bridge.context(), file.clone()).await?;
        let waiting = waiting_for(mixer, &imported.info.source);
        let strip = waiting
            .or_else(|| mixer.free_track())
            .ok_or_else(|| ImportError::Engine {
                name: name.clone(),
                reason: format!("all {MAX_TRACKS} tracks are taken; remove one first"),
            })?;
        let timings = imported.timings;
        let started = js_sys::Date::now();
        match bridge.load_track(strip.position(), imported).await {
            Ok(info) => {
                let (memory, engine_load_ms) = bridge.engine_memory();
                return Ok(Imported {
                    strip,
                    info,
                    timings,
                    load_ms: js_sys::Date::now() - started,
                    engine_load_ms,
                    memory,
                    awaited: waiting.is_some(),
                });
            }
            Err(e) if e.is_out_of_memory() && !retried && mixer.forget_shelved() => retried = true,
            Err(e) => return Err(e),
        }
    }
}

/// The track on screen waiting for a file with the same contents as `source`.
fn waiting_for(mixer: Mixer, source: &Source) -> Option<StripIndex> {
    let Source::File(FileSource {
        sha256: Some(sha256),
        ..
    }) = source
    else {
        return None;
    };
    mixer
        .waiting()
        .into_iter()
        .find_map(|(strip, wanted)| match wanted {
            Source::File(FileSource {
                sha256: Some(wanted),
                ..
            }) if wanted == *sha256 => Some(strip),
            _ => None,
        })
}

/// When the loop spans the whole song and a longer track arrives, the loop grows with it.
fn extend_whole_song_loop(mixer: Mixer, song_before: u32) {
    let song = mixer.song_frames();
    mixer.with_bridge(|b| {
        let mut t = b.transport();
        if song > song_before
            && t.loop_start_frame == 0.0
            && t.loop_end_frame == f64::from(song_before)
        {
            t.loop_end_frame = f64::from(song);
            b.set_transport(t);
        }
    });
}

/// The track name for a file: its name without the extension, as written (any Unicode, shown
/// safely by [`mixroom_protocol::text::shown`]) but for control characters, and at most
/// [`MAX_NAME_CHARS`] characters, so that the name a session keeps is the one the page gave.
pub fn track_name(file_name: &str) -> String {
    let stem = match file_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
        _ => file_name,
    };
    let name: String = stem
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    if name.trim().is_empty() {
        "Track".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::{track_name, MAX_NAME_CHARS};

    #[test]
    fn track_names_drop_the_extension() {
        assert_eq!(track_name("Kick In.wav"), "Kick In");
        assert_eq!(track_name("vox.take2.flac"), "vox.take2");
        assert_eq!(track_name(".hidden"), ".hidden");
        assert_eq!(track_name("no extension"), "no extension");
        assert_eq!(track_name("کتاب\u{200C}ها.wav"), "کتاب\u{200C}ها");
        assert_eq!(track_name("👩\u{200D}🎤 vox.wav"), "👩\u{200D}🎤 vox");
        assert_eq!(track_name("Drums\n.wav"), "Drums");
        assert_eq!(track_name("\u{7}.wav"), "Track");
        assert_eq!(track_name(&"x".repeat(300)).chars().count(), MAX_NAME_CHARS);
    }
}
