//! The ear-training progress kept in this browser (localStorage, one small JSON text).
//!
//! Progress that cannot be read (damaged, or written by a newer Mixroom) is never overwritten:
//! it is set aside under [`ASIDE_KEY`] before anything new is kept, and the page says so.

use mixroom_ear::progress::Progress;

/// The key the progress is kept under.
const KEY: &str = "mixroom-ear-progress";

/// The key unreadable progress is set aside under.
const ASIDE_KEY: &str = "mixroom-ear-progress-unreadable";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The kept progress (none kept: empty), and what the student should know about it.
pub fn load() -> (Progress, Option<String>) {
    let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) else {
        return (Progress::default(), None);
    };
    match Progress::from_json(&text) {
        Ok(progress) => (progress, None),
        Err(why) => {
            let kept = storage().is_some_and(|s| {
                s.set_item(ASIDE_KEY, &text).is_ok() && s.remove_item(KEY).is_ok()
            });
            let what = if kept {
                "it is kept aside as it was, and new results start afresh"
            } else {
                "it is left as it was, and new results are not kept"
            };
            (
                Progress::default(),
                Some(format!(
                    "Your ear-training history could not be read ({}); {what}.",
                    why.0
                )),
            )
        }
    }
}

/// Keeps `progress`; the error is a sentence for the student.
pub fn save(progress: &Progress) -> Result<(), String> {
    let storage = storage().ok_or("this browser keeps nothing for this page")?;
    if storage
        .get_item(KEY)
        .ok()
        .flatten()
        .is_some_and(|t| Progress::from_json(&t).is_err())
    {
        return Err("the history kept before could not be read, and is left as it was".to_owned());
    }
    storage
        .set_item(KEY, &progress.to_json())
        .map_err(|_| "the browser's storage for this site is full".to_owned())
}
