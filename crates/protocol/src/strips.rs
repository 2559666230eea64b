//! Channel strip numbering.
//!
//! Every strip has a fixed index in `0..MAX_STRIPS`. Per-strip parameters and meters are laid
//! out by this index, so the ranges are append-only: a new kind of strip takes a range that is
//! still free, existing ones never move.
//!
//! | indices | strips |
//! |---|---|
//! | 0..64 | tracks |
//! | 64..80 | group buses |
//! | 80..84 | aux returns (send k of every strip feeds return k) |
//! | 84..127 | free |
//! | 127 | master |

/// Most tracks a session can hold.
pub const MAX_TRACKS: usize = 64;
/// Most group buses.
pub const MAX_BUSES: usize = 16;
/// Number of aux returns (and of sends on every track and bus).
pub const MAX_RETURNS: usize = 4;
/// Size of the strip index space.
pub const MAX_STRIPS: usize = 128;

const BUS_BASE: usize = 64;
const RETURN_BASE: usize = 80;
const MASTER_INDEX: usize = 127;

/// Index of a channel strip in `0..MAX_STRIPS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StripIndex(u8);

/// The kind of a channel strip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StripKind {
    /// A source track.
    Track,
    /// A group bus: tracks routed to it are summed and run through its strip.
    Bus,
    /// An aux return: the sum of one send of every strip, through an effect and a strip.
    Return,
    /// The master output.
    Master,
}

impl StripIndex {
    /// The master strip.
    pub const MASTER: StripIndex = StripIndex(MASTER_INDEX as u8);

    /// Track `track` (`0..MAX_TRACKS`), or `None` when out of range.
    pub const fn track(track: usize) -> Option<StripIndex> {
        if track < MAX_TRACKS {
            Some(StripIndex(track as u8))
        } else {
            None
        }
    }

    /// Group bus `bus` (`0..MAX_BUSES`), or `None` when out of range.
    pub const fn bus(bus: usize) -> Option<StripIndex> {
        if bus < MAX_BUSES {
            Some(StripIndex((BUS_BASE + bus) as u8))
        } else {
            None
        }
    }

    /// Aux return `aux` (`0..MAX_RETURNS`), or `None` when out of range.
    pub const fn aux_return(aux: usize) -> Option<StripIndex> {
        if aux < MAX_RETURNS {
            Some(StripIndex((RETURN_BASE + aux) as u8))
        } else {
            None
        }
    }

    /// The strip with raw index `index`, if it names a strip that exists.
    pub const fn from_index(index: usize) -> Option<StripIndex> {
        if index < RETURN_BASE + MAX_RETURNS || index == MASTER_INDEX {
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
        let i = self.0 as usize;
        if i < BUS_BASE {
            StripKind::Track
        } else if i < RETURN_BASE {
            StripKind::Bus
        } else if i < RETURN_BASE + MAX_RETURNS {
            StripKind::Return
        } else {
            StripKind::Master
        }
    }

    /// Position within its kind: track number, bus number or return number (0-based); 0 for
    /// the master.
    pub const fn position(self) -> usize {
        let i = self.0 as usize;
        match self.kind() {
            StripKind::Track => i,
            StripKind::Bus => i - BUS_BASE,
            StripKind::Return => i - RETURN_BASE,
            StripKind::Master => 0,
        }
    }

    /// Every strip that exists: tracks, buses, returns, then the master.
    pub fn all() -> impl Iterator<Item = StripIndex> + Clone {
        (0..RETURN_BASE + MAX_RETURNS)
            .map(|i| StripIndex(i as u8))
            .chain(std::iter::once(Self::MASTER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_fixed() {
        // Part of the shared-memory contract: these numbers never change.
        assert_eq!(StripIndex::track(0).unwrap().index(), 0);
        assert_eq!(StripIndex::track(63).unwrap().index(), 63);
        assert!(StripIndex::track(64).is_none());
        assert_eq!(StripIndex::bus(0).unwrap().index(), 64);
        assert_eq!(StripIndex::bus(15).unwrap().index(), 79);
        assert!(StripIndex::bus(16).is_none());
        assert_eq!(StripIndex::aux_return(0).unwrap().index(), 80);
        assert_eq!(StripIndex::aux_return(3).unwrap().index(), 83);
        assert!(StripIndex::aux_return(4).is_none());
        assert_eq!(StripIndex::MASTER.index(), 127);
        let kinds: Vec<StripKind> = [5, 70, 81, 127]
            .iter()
            .map(|&i| StripIndex::from_index(i).unwrap().kind())
            .collect();
        assert_eq!(
            kinds,
            [
                StripKind::Track,
                StripKind::Bus,
                StripKind::Return,
                StripKind::Master
            ]
        );
        assert_eq!(StripIndex::bus(3).unwrap().position(), 3);
        assert_eq!(StripIndex::aux_return(2).unwrap().position(), 2);
        assert!(StripIndex::from_index(100).is_none());
        assert_eq!(
            StripIndex::all().count(),
            MAX_TRACKS + MAX_BUSES + MAX_RETURNS + 1
        );
    }
}
