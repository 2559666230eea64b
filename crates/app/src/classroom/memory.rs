//! What a check may take of the page's memory: its tracks' samples (and a reference
//! recording's) are copied into this module's wasm memory for the engine, and the checker
//! keeps what it renders (`mixroom_lesson::Checker::audio_bytes` counts it all); wasm32
//! addresses 4 GiB in all, and what does not fit must be refused with a message, not abort
//! the page (and the class table with it).

use std::cell::Cell;

use mixroom_protocol::units::memory_size;

/// Most memory one check's audio may take, bytes (3 GiB: wasm32 addresses 4 GiB, and the page
/// needs the rest).
pub const MAX_CHECK_BYTES: u64 = 3 << 30;

thread_local! {
    /// The budget in force ([`MAX_CHECK_BYTES`]; the end-to-end suite lowers it).
    static BUDGET: Cell<u64> = const { Cell::new(MAX_CHECK_BYTES) };
}

/// Sets the memory a check may take from now on, bytes (test hook).
#[cfg(feature = "e2e")]
pub fn set_budget(bytes: u64) {
    BUDGET.set(bytes);
}

/// Why a check of `bytes` is refused, when it is over the budget: one sentence for the user
/// (without its full stop, which the class table adds after "Not checked:").
pub fn over_budget(bytes: u64) -> Option<String> {
    let budget = BUDGET.get();
    (bytes > budget).then(|| {
        format!(
            "This mix's audio needs {} of memory to be checked, more than the {} a check may take in \
             this page; check it with `mixroom check` instead",
            memory_size(bytes),
            memory_size(budget)
        )
    })
}

/// `len` samples in a new `Vec`, filled by `copy`, or a sentence when the memory cannot be had
/// (instead of the abort an allocation failure is).
pub fn try_copy(len: usize, copy: impl FnOnce(&mut [f32])) -> Result<Vec<f32>, String> {
    let mut samples = Vec::new();
    samples.try_reserve_exact(len).map_err(|_| {
        format!(
            "This mix's audio does not fit in this page's memory ({} more were asked for)",
            memory_size((len as u64).saturating_mul(4))
        )
    })?;
    samples.resize(len, 0.0);
    copy(&mut samples);
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_over_the_budget_is_refused_in_units_a_person_reads() {
        assert_eq!(over_budget(MAX_CHECK_BYTES), None);
        let why = over_budget(1_360_000_000_000).unwrap();
        assert!(
            why.starts_with("This mix's audio needs 1266.6 GiB of memory"),
            "{why}"
        );
        assert!(
            why.contains("more than the 3.0 GiB a check may take"),
            "{why}"
        );
        let why = over_budget(MAX_CHECK_BYTES + 1).unwrap();
        assert!(why.starts_with("This mix's audio needs 3.0 GiB"), "{why}");
    }

    #[test]
    fn a_copy_that_cannot_be_had_is_an_error() {
        assert_eq!(try_copy(3, |s| s.fill(0.5)).unwrap(), vec![0.5; 3]);
        let why = try_copy(usize::MAX / 2, |_| unreachable!()).unwrap_err();
        assert!(
            why.starts_with("This mix's audio does not fit in this page's memory"),
            "{why}"
        );
    }
}
