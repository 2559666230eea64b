//! Saving an export: a `Blob` of its bytes, an object URL, and a click on a temporary
//! `<a download>` (the browser's ordinary download, no permission needed after the user's
//! click). The URL is revoked a minute later, once the browser has taken the file.

use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use super::{fail, ExportError, Exported, Payload};
use crate::audio::{describe, sleep_ms};

/// How long the object URL lives after the click, ms.
const REVOKE_AFTER_MS: i32 = 60_000;

/// Offers `exported` to the user as a download under its file name.
pub fn download(exported: &Exported) -> Result<(), ExportError> {
    let saved = match &exported.payload {
        Payload::Bytes(bytes) => save_file(bytes, &exported.file_name, exported.mime),
        Payload::Parts(parts) => {
            let options = BlobPropertyBag::new();
            options.set_type(exported.mime);
            Blob::new_with_blob_sequence_and_options(parts, &options)
                .and_then(|blob| save_blob(&blob, &exported.file_name))
        }
    };
    saved.map_err(|e| {
        fail(format!(
            "Could not save {}: the browser refused the download ({}).",
            exported.file_name,
            describe(&e)
        ))
    })
}

/// Offers `bytes` to the user as a download named `name` of type `mime`.
pub fn save_file(bytes: &[u8], name: &str, mime: &str) -> Result<(), wasm_bindgen::JsValue> {
    let bytes = js_sys::Uint8Array::from(bytes);
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &options)?;
    save_blob(&blob, name)
}

/// Offers `blob` to the user as a download named `name` (the browser streams it to disk; its
/// parts are not copied into the page's memory).
pub fn save_blob(blob: &Blob, name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let url = Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("the page has no document"))?;
    let anchor: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("the page has no body"))?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    spawn_local(async move {
        let _ = sleep_ms(REVOKE_AFTER_MS).await;
        let _ = Url::revoke_object_url(&url);
    });
    Ok(())
}
