//! The rules both sides of the shared blocks follow, in one place: the seqlock of the UI → engine
//! blocks and the single-writer rings of the engine → UI blocks.
//!
//! The page (Rust) and the worklet (its JS moves the bytes, its Rust module decides) each hold
//! one side's state. The counters travel with `Atomics.load` and `Atomics.store`, the rest of a
//! block with plain copies; which copy to take, keep or drop is decided here, and tested below
//! with seeded random interleavings of a writer and a reader on a simulated shared memory.
//!
//! - Seqlock (parameter and transport blocks): the writer stores an odd generation, writes, then
//!   stores the next even one ([`SeqlockWriter`]). The reader loads the generation, copies the
//!   block, loads it again, and keeps the copy only when both loads agree on a new even
//!   generation ([`SeqlockReader`]).
//! - Rings (meter entries, tap frames): item `n` (numbered from 0, wrapping at 2³²) lives in slot
//!   `n % capacity`. The writer fills the item, then stores the count of items written
//!   ([`RingWriter`]). The reader loads the count, copies the items it wants, loads the count
//!   again, and keeps only the items the writer cannot have been overwriting meanwhile
//!   ([`RingReader`]).

use std::ops::Range;

/// The writer's side of a seqlock: one writer, which alone changes the generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqlockWriter {
    generation: i32,
}

impl SeqlockWriter {
    /// A writer of a block whose generation word holds `generation` (even: no write under way).
    pub fn new(generation: i32) -> SeqlockWriter {
        SeqlockWriter {
            generation: generation & !1,
        }
    }

    /// Starts a write: the odd generation to store before changing any other byte.
    pub fn begin(&mut self) -> i32 {
        self.generation = self.generation.wrapping_add(1) | 1;
        self.generation
    }

    /// Ends the write: the even generation to store after the last byte.
    pub fn end(&mut self) -> i32 {
        self.generation = self.generation.wrapping_add(1) & !1;
        self.generation
    }
}

/// The reader's side of a seqlock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeqlockReader {
    taken: Option<i32>,
}

impl SeqlockReader {
    /// A reader that has taken no copy yet.
    pub const fn new() -> SeqlockReader {
        SeqlockReader { taken: None }
    }

    /// With the generation loaded before copying: whether a copy is worth taking (a write has
    /// ended since the copy last taken, and none is under way).
    pub fn wants(&self, before: i32) -> bool {
        before & 1 == 0 && self.taken != Some(before)
    }

    /// With the generation loaded again after the copy: whether the copy holds exactly the
    /// block as one write left it (no write began meanwhile). If so it is the copy taken.
    pub fn take(&mut self, before: i32, after: i32) -> bool {
        let whole = after == before && self.wants(before);
        if whole {
            self.taken = Some(before);
        }
        whole
    }

    /// Whether a copy has been taken since this reader began.
    pub fn has_taken(&self) -> bool {
        self.taken.is_some()
    }
}

/// Items numbered `first..first + len` (wrapping) of a ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Items {
    /// Number of the oldest item.
    pub first: u32,
    /// How many.
    pub len: u32,
}

impl Items {
    /// The item numbers, oldest first.
    pub fn numbers(self) -> impl Iterator<Item = u32> {
        (0..self.len).map(move |i| self.first.wrapping_add(i))
    }

    /// The ring slots of the items, as at most two runs of consecutive slots (the second when
    /// they wrap), oldest first.
    pub fn slots(self, capacity: u32) -> [Range<usize>; 2] {
        let start = (self.first % capacity) as usize;
        let first_run = (self.len as usize).min(capacity as usize - start);
        [start..start + first_run, 0..self.len as usize - first_run]
    }
}

/// The writer's side of a ring of `capacity` items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingWriter {
    capacity: u32,
    count: u32,
}

impl RingWriter {
    /// A writer that continues after `count` items already written (a restarted engine goes on
    /// where the last one stopped, so the reader sees one unbroken sequence).
    pub fn new(capacity: u32, count: u32) -> RingWriter {
        RingWriter {
            capacity: capacity.max(1),
            count,
        }
    }

    /// The items `len` more writes fill (at most a ring's worth: more would overwrite each
    /// other); write them, then store [`Self::publish`]'s count.
    pub fn next(&self, len: u32) -> Items {
        Items {
            first: self.count,
            len: len.min(self.capacity),
        }
    }

    /// Counts `len` more items as written and returns the count to store.
    pub fn publish(&mut self, len: u32) -> u32 {
        self.count = self.count.wrapping_add(len);
        self.count
    }

    /// Items written so far (wrapping).
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// The reader's side of a ring of `capacity` items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingReader {
    capacity: u32,
    seen: u32,
}

impl RingReader {
    /// A reader that has seen the first `seen` items.
    pub fn new(capacity: u32, seen: u32) -> RingReader {
        RingReader {
            capacity: capacity.max(2),
            seen,
        }
    }

    /// The most items one read can keep: all but the slot the writer may be filling next.
    fn readable(&self) -> u32 {
        self.capacity - 1
    }

    /// With the count just loaded: the items written since the last [`Self::done`], at most
    /// `capacity − 1` (the newest; older ones are gone or going).
    pub fn fresh(&self, count: u32) -> Items {
        let len = count.wrapping_sub(self.seen).min(self.readable());
        Items {
            first: count.wrapping_sub(len),
            len,
        }
    }

    /// With the count just loaded: the newest `len` items (at most `capacity − 1`, and at most
    /// as many as were written), whether seen or not.
    pub fn latest(&self, count: u32, len: u32) -> Items {
        let len = len.min(self.readable()).min(count);
        Items {
            first: count.wrapping_sub(len),
            len,
        }
    }

    /// With the count loaded again after copying `copied`: the copied items that are whole.
    /// While the reader copied, the writer may have been filling item `count_after` (not yet
    /// counted), which takes the slot of item `count_after − capacity`: that item and older ones
    /// may be torn and are dropped.
    pub fn whole(&self, copied: Items, count_after: u32) -> Items {
        let overwritten = copied
            .numbers()
            .take_while(|&n| count_after.wrapping_sub(n) >= self.capacity)
            .count() as u32;
        Items {
            first: copied.first.wrapping_add(overwritten),
            len: copied.len - overwritten,
        }
    }

    /// Marks every item before `count` seen.
    pub fn done(&mut self, count: u32) {
        self.seen = count;
    }

    /// Items seen so far.
    pub fn seen(&self) -> u32 {
        self.seen
    }
}

#[cfg(test)]
mod tests;
