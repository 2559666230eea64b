//! A native modal `<dialog>` opened by a button: the page behind it is inert and Escape closes
//! it (the browser's own behaviour); focus moves into it when it opens and back to the button
//! when it closes, however it closes.

use leptos::html;
use leptos::prelude::*;

/// The dialog and the button that opens it. Put `node_ref=modal.dialog` on the `<dialog>`,
/// `node_ref=modal.opener` on the button, and call [`Modal::return_focus`] from the dialog's
/// `close` event.
#[derive(Clone, Copy)]
pub struct Modal {
    /// The `<dialog>` element.
    pub dialog: NodeRef<html::Dialog>,
    /// The button that opens it.
    pub opener: NodeRef<html::Button>,
}

impl Modal {
    /// A dialog not yet on the page.
    pub fn new() -> Modal {
        Modal {
            dialog: NodeRef::new(),
            opener: NodeRef::new(),
        }
    }

    /// Opens the dialog, then runs `focus_first` (which puts focus on its first field).
    pub fn open(&self, focus_first: impl FnOnce()) {
        if let Some(dialog) = self.dialog.get_untracked() {
            if dialog.show_modal().is_ok() {
                focus_first();
            }
        }
    }

    /// Closes the dialog.
    pub fn close(&self) {
        if let Some(dialog) = self.dialog.get_untracked() {
            dialog.close();
        }
    }

    /// Gives focus back to the button (for the dialog's `close` event, which Escape and
    /// [`Modal::close`] both raise).
    pub fn return_focus(&self) {
        if let Some(button) = self.opener.get_untracked() {
            let _ = button.focus();
        }
    }
}
