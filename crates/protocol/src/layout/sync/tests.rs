//! A writer and a reader on a simulated shared memory, one word per step, in an order drawn from
//! a seed (ringbuf.js's way of testing): every word a writer puts down is a canary naming the
//! write and the word, so a copy that mixes two writes, or an item torn by an overwrite, shows.

use super::*;
use crate::splitmix;

/// The canary of word `k` of write (or item) `id`.
fn canary(id: u32, k: usize) -> u32 {
    id.wrapping_mul(0x9E37_79B9) ^ (k as u32).wrapping_mul(0x85EB_CA6B) ^ 0xA5A5_A5A5
}

/// A scheduler: which side moves next, with the writer's share of the steps drawn per seed.
struct Scheduler {
    state: u64,
    writer_share: u64,
}

impl Scheduler {
    fn new(seed: u64) -> Scheduler {
        let mut state = seed;
        let writer_share = 5 + splitmix::next(&mut state) % 91;
        Scheduler {
            state,
            writer_share,
        }
    }

    fn writer_moves(&mut self) -> bool {
        splitmix::next(&mut self.state) % 100 < self.writer_share
    }

    fn below(&mut self, n: u64) -> u64 {
        splitmix::next(&mut self.state) % n
    }
}

const PAYLOAD_WORDS: usize = 6;

/// The seqlock's writer, one word per step.
struct BlockWriter {
    lock: SeqlockWriter,
    /// The generation the write under way ends on, and the next word to write.
    writing: Option<(i32, usize)>,
    /// Steps to rest before the next write.
    rest: u64,
}

/// The seqlock's reader, one word per step.
struct BlockReader {
    lock: SeqlockReader,
    /// The generation loaded before the copy under way, and the words copied so far.
    copying: Option<(i32, Vec<u32>)>,
    taken: Vec<i32>,
}

fn step_block_writer(w: &mut BlockWriter, memory: &mut [u32], s: &mut Scheduler) {
    match &mut w.writing {
        None if w.rest > 0 => w.rest -= 1,
        None => {
            let odd = w.lock.begin();
            memory[0] = odd as u32;
            w.writing = Some((odd.wrapping_add(1), 0));
        }
        Some((ends_on, k)) if *k < PAYLOAD_WORDS => {
            memory[1 + *k] = canary(*ends_on as u32, *k);
            *k += 1;
        }
        Some(_) => {
            memory[0] = w.lock.end() as u32;
            w.writing = None;
            w.rest = s.below(40);
        }
    }
}

fn step_block_reader(r: &mut BlockReader, memory: &[u32]) {
    match &mut r.copying {
        None => {
            let before = memory[0] as i32;
            if r.lock.wants(before) {
                r.copying = Some((before, Vec::new()));
            }
        }
        Some((_, copy)) if copy.len() < PAYLOAD_WORDS => copy.push(memory[1 + copy.len()]),
        Some((before, copy)) => {
            let (before, copy) = (*before, std::mem::take(copy));
            r.copying = None;
            if r.lock.take(before, memory[0] as i32) {
                for (k, &word) in copy.iter().enumerate() {
                    assert_eq!(word, canary(before as u32, k), "a torn copy was taken");
                }
                r.taken.push(before);
            }
        }
    }
}

#[test]
fn the_seqlock_reader_takes_only_whole_writes() {
    for seed in 0..300 {
        let mut s = Scheduler::new(seed);
        let start = (splitmix::next(&mut s.state) as i32) & !1;
        let mut memory = vec![0; 1 + PAYLOAD_WORDS];
        memory[0] = start as u32;
        for (k, word) in memory[1..].iter_mut().enumerate() {
            *word = canary(start as u32, k);
        }
        let mut writer = BlockWriter {
            lock: SeqlockWriter::new(start),
            writing: None,
            rest: 0,
        };
        let mut reader = BlockReader {
            lock: SeqlockReader::new(),
            copying: None,
            taken: Vec::new(),
        };
        for _ in 0..20_000 {
            if s.writer_moves() {
                step_block_writer(&mut writer, &mut memory, &mut s);
            } else {
                step_block_reader(&mut reader, &memory);
            }
        }
        // The writer stops: the reader then takes the last write.
        while writer.writing.is_some() {
            step_block_writer(&mut writer, &mut memory, &mut s);
        }
        for _ in 0..2 * (PAYLOAD_WORDS + 2) {
            step_block_reader(&mut reader, &memory);
        }
        let last = memory[0] as i32;
        assert_eq!(
            reader.taken.last(),
            Some(&last),
            "seed {seed}: the last write"
        );
        assert!(
            reader.taken.windows(2).all(|w| w[0] != w[1]),
            "one take a write"
        );
        assert!(!reader.lock.wants(last));
    }
}

#[test]
fn seqlock_generations_stay_even_between_writes_through_the_wrap() {
    let mut w = SeqlockWriter::new(i32::MAX - 1);
    assert_eq!(w.begin(), i32::MAX);
    assert_eq!(w.end(), i32::MIN);
    assert_eq!(w.begin(), i32::MIN + 1);
    assert_eq!(w.end(), i32::MIN + 2);
    let mut r = SeqlockReader::new();
    assert!(!r.has_taken());
    assert!(!r.wants(7), "a write is under way");
    assert!(!r.take(8, 9), "a write began during the copy");
    assert!(!r.take(8, 10), "a whole write happened during the copy");
    assert!(r.take(8, 8) && r.has_taken());
    assert!(!r.wants(8), "already taken");
}

const ITEM_WORDS: usize = 4;
const CAPACITY: u32 = 8;

/// The ring's writer, one word per step.
struct ItemWriter {
    ring: RingWriter,
    /// The next word of the item under way.
    word: usize,
    /// Items to write in all.
    total: u32,
}

/// The ring's reader, one word per step.
struct ItemReader {
    ring: RingReader,
    /// The count loaded before the copy under way, the items it copies and the words so far.
    copying: Option<(u32, Items, Vec<u32>)>,
    delivered: Vec<u32>,
}

fn step_item_writer(w: &mut ItemWriter, memory: &mut [u32]) {
    if w.ring.count() == w.total {
        return;
    }
    let item = w.ring.next(1);
    if w.word < ITEM_WORDS {
        let slot = item.slots(CAPACITY)[0].start;
        memory[1 + slot * ITEM_WORDS + w.word] = canary(item.first, w.word);
        w.word += 1;
    } else {
        memory[0] = w.ring.publish(1);
        w.word = 0;
    }
}

fn step_item_reader(r: &mut ItemReader, memory: &[u32]) {
    match &mut r.copying {
        None => {
            let count = memory[0];
            let items = r.ring.fresh(count);
            if items.len > 0 {
                r.copying = Some((count, items, Vec::new()));
            }
        }
        Some((_, items, copy)) if copy.len() < items.len as usize * ITEM_WORDS => {
            let i = copy.len() / ITEM_WORDS;
            let n = items.first.wrapping_add(i as u32);
            let slot = (n % CAPACITY) as usize;
            copy.push(memory[1 + slot * ITEM_WORDS + copy.len() % ITEM_WORDS]);
        }
        Some((count, items, copy)) => {
            let (count, items, copy) = (*count, *items, std::mem::take(copy));
            r.copying = None;
            let whole = r.ring.whole(items, memory[0]);
            let skip = whole.first.wrapping_sub(items.first) as usize;
            for (i, n) in whole.numbers().enumerate() {
                for k in 0..ITEM_WORDS {
                    let word = copy[(skip + i) * ITEM_WORDS + k];
                    assert_eq!(word, canary(n, k), "item {n} was torn");
                }
                r.delivered.push(n);
            }
            r.ring.done(count);
        }
    }
}

#[test]
fn the_ring_reader_keeps_only_whole_items_in_order() {
    for seed in 0..300 {
        let mut s = Scheduler::new(seed);
        // Counts start anywhere, so the numbers wrap in some runs.
        let start = u32::MAX - (splitmix::next(&mut s.state) % 40) as u32;
        let mut memory = vec![0; 1 + CAPACITY as usize * ITEM_WORDS];
        memory[0] = start;
        let mut writer = ItemWriter {
            ring: RingWriter::new(CAPACITY, start),
            word: 0,
            total: start.wrapping_add(500),
        };
        let mut reader = ItemReader {
            ring: RingReader::new(CAPACITY, start),
            copying: None,
            delivered: Vec::new(),
        };
        while writer.ring.count() != writer.total || reader.ring.seen() != writer.total {
            if s.writer_moves() {
                step_item_writer(&mut writer, &mut memory);
            } else {
                step_item_reader(&mut reader, &memory);
            }
        }
        let delivered = &reader.delivered;
        assert!(
            delivered
                .windows(2)
                .all(|w| w[1].wrapping_sub(w[0]) >= 1 && w[1].wrapping_sub(w[0]) < 500),
            "seed {seed}: in order, each once"
        );
        assert_eq!(delivered.last(), Some(&writer.total.wrapping_sub(1)));
        if s.writer_share < 30 {
            assert_eq!(
                delivered.len(),
                500,
                "seed {seed}: a fast reader misses nothing"
            );
        }
    }
}

#[test]
fn items_map_to_at_most_two_runs_of_slots() {
    let items = Items { first: 6, len: 5 };
    assert_eq!(items.slots(8), [6..8, 0..3]);
    assert_eq!(Items { first: 9, len: 3 }.slots(8), [1..4, 0..0]);
    let reader = RingReader::new(8, 0);
    assert_eq!(reader.latest(5, 100), Items { first: 0, len: 5 });
    assert_eq!(reader.latest(50, 100), Items { first: 43, len: 7 });
    assert_eq!(
        reader.fresh(50),
        Items { first: 43, len: 7 },
        "older ones are gone"
    );
    assert_eq!(
        reader.whole(Items { first: 43, len: 7 }, 50),
        Items { first: 43, len: 7 },
        "a writer that wrote nothing meanwhile tears nothing"
    );
    assert_eq!(
        reader.whole(Items { first: 42, len: 8 }, 52),
        Items { first: 45, len: 5 },
        "items 42..=44 share slots with 50..=52, which may have been written meanwhile"
    );
    let writer = RingWriter::new(8, 3);
    assert_eq!(writer.next(20), Items { first: 3, len: 8 });
}
