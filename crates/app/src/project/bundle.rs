//! Project bundles (`.mixroom`, see `mixroom_protocol::bundle`): the session and every file in
//! its original encoding, in one zip that moves between computers.

use std::rc::Rc;

use js_sys::{ArrayBuffer, Uint8Array};
use mixroom_protocol::bundle;
use mixroom_protocol::session::Source;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::open::Opening;
use super::sources::BundleFiles;
use super::{Notice, Project};
use crate::audio::describe;
use crate::export::save_file;

/// The name the bundle is offered under.
const FILE_NAME: &str = "mixroom-project.mixroom";

/// Builds the bundle of the mix as it is now and offers it as a download. Every file must be
/// at hand (a mix still waiting for a dropped file cannot be saved whole).
pub async fn save_bundle(project: Project) -> Result<String, String> {
    let mixer = project.mixer();
    let snapshot = mixer.snapshot();
    let bridge = mixer
        .with_bridge(Rc::clone)
        .ok_or("the audio engine is not running")?;
    let mut files = Vec::new();
    for (track, strip) in snapshot.session.tracks.iter().zip(&snapshot.strips) {
        let Source::File(source) = &track.source else {
            continue;
        };
        let file = bridge.track_file(strip.position()).ok_or_else(|| {
            format!(
                "“{}” is not here yet: drop it on the page first, then save",
                source.name()
            )
        })?;
        files.push((source.path.clone(), read_bytes(&file).await?));
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let written = bundle::write(&snapshot.session, &files).map_err(|e| e.to_string())?;
    save_file(&written.bytes, FILE_NAME, "application/zip").map_err(|e| describe(&e))?;
    Ok(FILE_NAME.to_owned())
}

/// Opens the bundle `file`: its mix replaces the current one (which is kept to go back to).
/// A bundle that cannot be read changes nothing.
pub async fn open_bundle_file(project: Project, file: File) {
    let name = file.name();
    let opened = match read_bytes(&file).await {
        Ok(bytes) => bundle::read(&bytes).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match opened {
        Ok(bundle) => {
            project.clear_notice("bundle");
            let files: BundleFiles = bundle.files;
            let title = name.strip_suffix(".mixroom").unwrap_or(&name).to_owned();
            let mix = project.new_tab_mix(title).await;
            project
                .open(
                    bundle.session,
                    Some(files),
                    Opening::Bundle(name),
                    mix,
                    Vec::new(),
                )
                .await;
        }
        Err(e) => project.notify(Notice::error(
            "bundle",
            format!("“{name}” could not be opened: {e}. Your mix is unchanged."),
        )),
    }
}

/// The bytes of `file`.
async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    let buffer: ArrayBuffer = JsFuture::from(file.array_buffer())
        .await
        .and_then(|b| b.dyn_into())
        .map_err(|e| format!("“{}” cannot be read ({})", file.name(), describe(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
