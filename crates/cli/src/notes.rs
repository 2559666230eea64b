//! What the commands say about a stranger's input they opened but did not take whole.

use mixroom_protocol::validate::Refusal;

/// A note on stderr for each field of `what` that a reader refused.
pub(crate) fn notes(what: &str, refused: &[Refusal]) {
    for refusal in refused {
        eprintln!("mixroom: note: {what}: {refusal} (left out)");
    }
}
