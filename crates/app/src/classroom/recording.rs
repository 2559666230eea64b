//! Reference recordings: a finished mix to compare with, decoded by the browser at the
//! engine's rate, from a file the user picks or from the lesson's URL (fetched with CORS, with
//! the same limits as a track's audio).

use std::cell::RefCell;

use mixroom_dsp::Source;
use mixroom_protocol::lesson::{Lesson, Recording, Reference};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, BaseAudioContext, Blob};

use crate::audio::describe;
use crate::project::remote::{self, Fetching};

thread_local! {
    /// Recordings fetched from the web, by URL: each is fetched once per page.
    static FETCHED: RefCell<Vec<(String, AudioBuffer)>> = const { RefCell::new(Vec::new()) };
}

/// The lesson's reference recording on the web, if it has one.
pub fn url_of(lesson: &Lesson) -> Option<&str> {
    match &lesson.reference {
        Some(Reference::Recording(Recording::Url(url))) => Some(url),
        _ => None,
    }
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
    let kept = FETCHED.with(|f| {
        f.borrow()
            .iter()
            .find(|(u, b)| u == url && b.sample_rate() == context.sample_rate())
            .map(|(_, b)| b.clone())
    });
    if let Some(buffer) = kept {
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

/// `buffer` as the engine's source for a check (its first two channels; one when mono).
pub fn source_of(buffer: &AudioBuffer) -> Result<Source, String> {
    let channels = (0..buffer.number_of_channels().min(2))
        .map(|c| buffer.get_channel_data(c).map_err(|e| describe(&e)))
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
