//! Copying a link field's text to the clipboard.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Selects the text of `field` and copies it to the clipboard; `copied` then says whether the
/// browser took it (when not, the text stays selected for the user to copy).
pub fn copy_field(field: NodeRef<html::Input>, copied: RwSignal<Option<bool>>) {
    let Some(field) = field.get_untracked() else {
        return;
    };
    field.select();
    let text = field.value();
    spawn_local(async move {
        let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
        let done = match clipboard {
            Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&text))
                .await
                .is_ok(),
            None => false,
        };
        copied.set(Some(done));
    });
}
