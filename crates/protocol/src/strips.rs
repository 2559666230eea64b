//! Channel strip numbering.
//!
//! Every strip (track, and later bus and return, and the master) has a fixed index in
//! `0..MAX_STRIPS`. Per-strip parameters and meters are laid out by this index, so the indices are
//! append-only: a new kind of strip takes a range that is still free, existing ones never move.

/// Most tracks a session can hold.
pub const MAX_TRACKS: usize = 64;

/// Size of the strip index space (tracks `0..64`, `64..127` reserved for buses and returns, master
/// `127`).
pub const MAX_STRIPS: usize = 128;

/// Index of a channel strip in `0..MAX_STRIPS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StripIndex(u8);

/// The kind of a channel strip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StripKind {
    /// A source track.
    Track,
    /// The master output.
    Master,
}

impl StripIndex {
    /// The master strip.
    pub const MASTER: StripIndex = StripIndex(127);

    /// Track `track` (`0..MAX_TRACKS`), or `None` when out of range.
    pub const fn track(track: usize) -> Option<StripIndex> {
        if track < MAX_TRACKS {
            Some(StripIndex(track as u8))
        } else {
            None
        }
    }

    /// The strip with raw index `index`, if it names a strip that exists.
    pub const fn from_index(index: usize) -> Option<StripIndex> {
        if index < MAX_TRACKS || index == Self::MASTER.0 as usize {
            Some(StripIndex(index as u8))
        } else {
            None
        }
    }

    /// The raw index in `0..MAX_STRIPS`.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// What kind of strip this is.
    pub const fn kind(self) -> StripKind {
        if (self.0 as usize) < MAX_TRACKS {
            StripKind::Track
        } else {
            StripKind::Master
        }
    }

    /// Every strip that exists: all tracks, then the master.
    pub fn all() -> impl Iterator<Item = StripIndex> {
        (0..MAX_TRACKS)
            .map(|t| StripIndex(t as u8))
            .chain(std::iter::once(Self::MASTER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_fixed() {
        assert_eq!(StripIndex::track(0).unwrap().index(), 0);
        assert_eq!(StripIndex::track(63).unwrap().index(), 63);
        assert!(StripIndex::track(64).is_none());
        assert_eq!(StripIndex::MASTER.index(), 127);
        assert_eq!(StripIndex::MASTER.kind(), StripKind::Master);
        assert_eq!(StripIndex::track(5).unwrap().kind(), StripKind::Track);
        assert!(StripIndex::from_index(100).is_none());
        assert_eq!(StripIndex::all().count(), MAX_TRACKS + 1);
    }
}
