//! Finding a session track's audio: demo stems are synthesized, files come from a bundle or
//! from the browser's storage (by SHA-256); URLs are left to `remote`.

use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::Array;
use mixroom_protocol::session::{Source, Track};
use web_sys::{BaseAudioContext, Blob, File};

use crate::audio::describe;
use crate::audio::import::{import_file, import_generated, Generator, ImportedTrack};
use crate::persist::Store;

/// A bundle's files by their path in the bundle (slices of the bundle, or unpacked).
pub type BundleFiles = BTreeMap<String, Blob>;

/// What became of a track's source.
pub enum Resolved {
    /// The audio, ready to load.
    Ready(ImportedTrack),
    /// A local file the page does not have: the user is asked to drop it.
    Waiting,
    /// It cannot be had; the message says why.
    Failed(String),
}

/// The generator of demo stem `id`, if the demo has it.
pub fn demo_stem(id: &str) -> Option<Generator> {
    let (id, _) = mixroom_demo::STEMS.iter().find(|(stem, _)| *stem == id)?;
    Some(Rc::new(move |rate_hz: f32| {
        mixroom_demo::render_stem(id, rate_hz).map_or_else(Vec::new, |stem| stem.channels)
    }))
}

/// Finds and prepares `track`'s audio, at `context`'s rate.
pub async fn resolve(
    context: &BaseAudioContext,
    store: Option<&Store>,
    files: Option<&BundleFiles>,
    track: &Track,
) -> Resolved {
    let failed = |why: String| Resolved::Failed(format!("Track “{}”: {why}", track.name));
    match &track.source {
        Source::Demo(id) => match demo_stem(id) {
            Some(generate) => match import_generated(
                &track.name,
                track.source.clone(),
                generate,
                context.sample_rate(),
            )
            .await
            {
                Ok(imported) => Resolved::Ready(imported),
                Err(e) => failed(e.to_string()),
            },
            None => failed(format!("the demo song has no stem “{id}”.")),
        },
        Source::File(source) => {
            let name = source.name();
            let file = match files.and_then(|f| f.get(&source.path)) {
                Some(blob) => Some(file_from_blob(blob, name)),
                None => match (store, &source.sha256) {
                    (Some(store), Some(sha)) => match store.get_audio(sha).await {
                        Ok(Some(blob)) => Some(file_from_blob(&blob, name)),
                        _ => None,
                    },
                    _ => None,
                },
            };
            match file {
                Some(Ok(file)) => match import_file(context, file).await {
                    Ok(imported) => Resolved::Ready(imported),
                    Err(e) => failed(e.to_string()),
                },
                Some(Err(e)) => failed(format!("“{name}” cannot be read ({})", describe(&e))),
                None => Resolved::Waiting,
            }
        }
        // Fetched in the background, once the user agrees (see `remote`).
        Source::Url(_) => Resolved::Waiting,
    }
}

/// A `File` named `name` holding the bytes of `blob`.
fn file_from_blob(blob: &Blob, name: &str) -> Result<File, wasm_bindgen::JsValue> {
    File::new_with_blob_sequence(&Array::of1(blob), name)
}
