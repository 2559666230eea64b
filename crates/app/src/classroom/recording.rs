//! Reference recordings: a finished mix to compare with, decoded by the browser at the
//! engine's rate, from a file the user picks, from the lesson's URL (fetched with CORS, with
//! the same limits as a track's audio) or from the lesson's file (kept in this browser's
//! storage by its SHA-256 once the lesson's project was opened or the teacher picked it).

use std::cell::RefCell;

use mixroom_dsp::Source;
use mixroom_protocol::lesson::{Lesson, Recording, Reference};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, BaseAudioContext, Blob};

use super::memory;
use crate::audio::describe;
use crate::project::remote::{self, Fetching};
use crate::project::Project;

thread_local! {
    /// Recordings decoded, by URL (or `sha256:` and the file's SHA-256): each is fetched and
    /// decoded once per page.
    static FETCHED: RefCell<Vec<(String, AudioBuffer)>> = const { RefCell::new(Vec::new()) };
}

/// Whether the lesson's reference is a recording (on the web or a file).
pub fn has_recording(lesson: &Lesson) -> bool {
    matches!(&lesson.reference, Some(Reference::Recording(_)))
}

/// The lesson's reference recording, decoded at `context`'s rate, and what to call it
/// ("Recording “teacher.ogg”"); `None` when the lesson has none. A URL is fetched only once
/// the user agreed to its host for `project`'s mix (else the page asks, as for a track's audio
/// by URL, and the error says so; `progress(bytes, of)` hears how far), a file is read from
/// the project's storage by its SHA-256; each once a page. The error is a sentence fragment
/// saying why it cannot be had.
pub async fn of_lesson(
    context: &BaseAudioContext,
    project: Project,
    lesson: &Lesson,
    progress: impl FnMut(f64, Option<f64>),
) -> Result<Option<(String, AudioBuffer)>, String> {
    let Some(Reference::Recording(recording)) = &lesson.reference else {
        return Ok(None);
    };
    match recording {
        Recording::Url(url) => {
            if kept(context, url).is_none() {
                project.agreed_to_fetch(url, "the lesson's reference recording")?;
            }
            let buffer = fetched(context, url, progress).await?;
            Ok(Some((format!("Recording “{}”", name_of(url)), buffer)))
        }
        Recording::File(file) => {
            let name = file.name();
            let missing = || {
                format!(
                    "the reference recording “{name}” is not in this browser: open the lesson's \
                     project (.mixroom), or add the file in Compare"
                )
            };
            let sha = file.sha256.as_deref().ok_or_else(missing)?;
            let key = format!("sha256:{sha}");
            let buffer = match kept(context, &key) {
                Some(buffer) => buffer,
                None => {
                    let blob = match project.store() {
                        Some(store) => store.get_audio(sha).await.ok().flatten(),
                        None => None,
                    };
                    let buffer = decode(context, &blob.ok_or_else(missing)?, name).await?;
                    FETCHED.with(|f| f.borrow_mut().push((key, buffer.clone())));
                    buffer
                }
            };
            Ok(Some((format!("Recording “{name}”"), buffer)))
        }
    }
}

/// The recording kept under `key` at `context`'s rate, if decoded before.
fn kept(context: &BaseAudioContext, key: &str) -> Option<AudioBuffer> {
    FETCHED.with(|f| {
        f.borrow()
            .iter()
            .find(|(k, b)| k == key && b.sample_rate() == context.sample_rate())
            .map(|(_, b)| b.clone())
    })
}

/// What the user calls the recording at `url`: its last path segment ("teacher.ogg").
pub fn name_of(url: &str) -> String {
    url.split(['?', '#'])
        .next()
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("recording")
        .to_owned()
}

/// Decodes `blob` (an audio file called `name`) at `context`'s rate. The error is a sentence
/// fragment for "… was not added: …".
pub async fn decode(
    context: &BaseAudioContext,
    blob: &Blob,
    name: &str,
) -> Result<AudioBuffer, String> {
    let decoded = async {
        let bytes: js_sys::ArrayBuffer = JsFuture::from(blob.array_buffer()).await?.into();
        let buffer = JsFuture::from(context.decode_audio_data(&bytes)?).await?;
        Ok::<AudioBuffer, wasm_bindgen::JsValue>(buffer.into())
    }
    .await;
    decoded.map_err(|e| {
        format!(
            "“{name}” is not audio this browser can decode ({})",
            describe(&e)
        )
    })
}

/// The recording at `url`, decoded at `context`'s rate: fetched the first time, kept for the
/// page's life. `progress(bytes, of)` hears how far a download got. The error is a sentence
/// fragment naming the URL.
pub async fn fetched(
    context: &BaseAudioContext,
    url: &str,
    progress: impl FnMut(f64, Option<f64>),
) -> Result<AudioBuffer, String> {
    if let Some(buffer) = kept(context, url) {
        return Ok(buffer);
    }
    let buffer = fetch(context, url, progress).await?;
    FETCHED.with(|f| f.borrow_mut().push((url.to_owned(), buffer.clone())));
    Ok(buffer)
}

/// Fetches and decodes the recording at `url` at `context`'s rate.
async fn fetch(
    context: &BaseAudioContext,
    url: &str,
    progress: impl FnMut(f64, Option<f64>),
) -> Result<AudioBuffer, String> {
    let fetching = Fetching::new()?;
    let file = remote::fetch(url, &fetching, progress)
        .await
        .map_err(|why| format!("the recording could not be fetched from {url}: {why}"))?;
    decode(context, &file, &name_of(url)).await
}

/// `buffer` as the engine's source for a check (its first two channels; one when mono),
/// copied into this module's memory; the error says why not (as when the memory cannot be
/// had).
pub fn source_of(buffer: &AudioBuffer) -> Result<Source, String> {
    let frames = buffer.length() as usize;
    let channels = (0..buffer.number_of_channels().min(2))
        .map(|c| {
            let mut copied = Ok(());
            let samples = memory::try_copy(frames, |out| {
                copied = buffer.copy_from_channel(out, c as i32);
            })?;
            copied.map(|()| samples).map_err(|e| describe(&e))
        })
        .collect::<Result<Vec<Vec<f32>>, String>>()?;
    Source::new(channels).map_err(|e| e.to_string())
}

/// The stereo samples of `buffer` (a mono one on both sides). The error names it.
pub fn stereo_of(buffer: &AudioBuffer, name: &str) -> Result<[Vec<f32>; 2], String> {
    let read = |c| {
        buffer
            .get_channel_data(c)
            .map_err(|e| format!("“{name}” cannot be read ({})", describe(&e)))
    };
    let left = read(0)?;
    let right = if buffer.number_of_channels() > 1 {
        read(1)?
    } else {
        left.clone()
    };
    Ok([left, right])
}
