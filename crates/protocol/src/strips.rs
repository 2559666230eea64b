//! Channel strip numbering.
//!
//! Every strip has a fixed index in `0..MAX_STRIPS`. Per-strip parameters and meters are laid
//! out by this index in shared memory. The page and the engine are built together, so the
//! ranges may move between versions; nothing stored (sessions, links, bundles, lessons) holds
//! a raw index: they name strips by kind and position.
//!
//! | indices | strips |
//! |---|---|
//! | 0..256 | tracks |
//! | 256..272 | group buses |
//! | 272..276 | aux returns (send k of every strip feeds return k) |
//! | 276..287 | free |
//! | 287 | master |

/// Most tracks a session can hold.
pub const MAX_TRACKS: usize = 256;
/// Most group buses.
pub const MAX_BUSES: usize = 16;
/// Number of aux returns (and of sends on every track and bus).
pub const MAX_RETURNS: usize = 4;
/// Size of the strip index space.
pub const MAX_STRIPS: usize = 288;

const BUS_BASE: usize = MAX_TRACKS;
const RETURN_BASE: usize = BUS_BASE + MAX_BUSES;
const MASTER_INDEX: usize = MAX_STRIPS - 1;

/// Index of a channel strip in `0..MAX_STRIPS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StripIndex(u16);

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
    pub const MASTER: StripIndex = StripIndex(MASTER_INDEX as u16);

    /// Track `track` (`0..MAX_TRACKS`), or `None` when out of range.
    pub const fn track(track: usize) -> Option<StripIndex> {
        if track < MAX_TRACKS {
            Some(StripIndex(track as u16))
        } else {
            None
        }
    }

    /// Group bus `bus` (`0..MAX_BUSES`), or `None` when out of range.
    pub const fn bus(bus: usize) -> Option<StripIndex> {
        if bus < MAX_BUSES {
            Some(StripIndex((BUS_BASE + bus) as u16))
        } else {
            None
        }
    }

    /// Aux return `aux` (`0..MAX_RETURNS`), or `None` when out of range.
    pub const fn aux_return(aux: usize) -> Option<StripIndex> {
        if aux < MAX_RETURNS {
            Some(StripIndex((RETURN_BASE + aux) as u16))
        } else {
            None
        }
    }

    /// The strip with raw index `index`, if it names a strip that exists.
    pub const fn from_index(index: usize) -> Option<StripIndex> {
        if index < RETURN_BASE + MAX_RETURNS || index == MASTER_INDEX {
            Some(StripIndex(index as u16))
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
            .map(|i| StripIndex(i as u16))
            .chain(std::iter::once(Self::MASTER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_fixed() {
        // The table in the module's doc.
        assert_eq!(StripIndex::track(0).unwrap().index(), 0);
        assert_eq!(StripIndex::track(255).unwrap().index(), 255);
        assert!(StripIndex::track(256).is_none());
        assert_eq!(StripIndex::bus(0).unwrap().index(), 256);
        assert_eq!(StripIndex::bus(15).unwrap().index(), 271);
        assert!(StripIndex::bus(16).is_none());
        assert_eq!(StripIndex::aux_return(0).unwrap().index(), 272);
        assert_eq!(StripIndex::aux_return(3).unwrap().index(), 275);
        assert!(StripIndex::aux_return(4).is_none());
        assert_eq!(StripIndex::MASTER.index(), 287);
        let kinds: Vec<StripKind> = [5, 260, 273, 287]
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
        assert!(StripIndex::from_index(280).is_none());
        assert!(StripIndex::from_index(MAX_STRIPS).is_none());
        assert_eq!(
            StripIndex::all().count(),
            MAX_TRACKS + MAX_BUSES + MAX_RETURNS + 1
        );
    }
}
