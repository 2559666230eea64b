//! The mutator: a seeded random number generator and byte-level mutations in the manner of
//! AFL's "havoc" stage (bit and byte flips, interesting integers, arithmetic, inserted,
//! deleted, duplicated and overwritten ranges, splices with other seeds, truncation,
//! dictionary tokens), stacked a few at a time.

/// A seeded generator: [`mixroom_protocol::splitmix`].
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of case `case` of the target named `target` in a run seeded with `seed`:
    /// each case is reproducible on its own.
    pub fn for_case(seed: u64, target: &str, case: u64) -> Rng {
        let mut rng = Rng::new(seed ^ fnv1a(target.as_bytes()));
        rng.0 ^= case.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        mixroom_protocol::splitmix::next(&mut self.0)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A random element of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// FNV-1a, 64 bits: names failure files and mixes target names into seeds.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Integers that often sit on a boundary of a size or count check.
const INTERESTING: [u64; 20] = [
    0,
    1,
    2,
    7,
    8,
    16,
    64,
    100,
    127,
    128,
    255,
    256,
    1024,
    4096,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
];

/// What a mutation may draw on besides the input itself.
pub struct Material<'a> {
    /// Other valid inputs, for splicing.
    pub seeds: &'a [Vec<u8>],
    /// Tokens of the target's format (magic numbers, keys, chunk names).
    pub dictionary: &'a [Vec<u8>],
    /// Longest input produced, bytes.
    pub max_len: usize,
}

/// Applies 1, 2, 4 or 8 random mutations to `input`, keeping it at most `material.max_len`
/// bytes.
pub fn havoc(rng: &mut Rng, input: &mut Vec<u8>, material: &Material<'_>) {
    for _ in 0..1 << rng.below(4) {
        mutate_once(rng, input, material);
    }
    input.truncate(material.max_len);
}

/// One random mutation of `input`.
fn mutate_once(rng: &mut Rng, input: &mut Vec<u8>, material: &Material<'_>) {
    if input.is_empty() {
        let n = 1 + rng.below(8);
        input.extend(random_bytes(rng, n));
        return;
    }
    let len = input.len();
    let at = rng.below(len);
    match rng.below(13) {
        0 => input[at] ^= 1 << rng.below(8),
        1 => input[at] = rng.next_u64() as u8,
        2 => {
            let width = *rng.pick(&[1, 2, 4, 8]);
            let value = *rng.pick(&INTERESTING);
            let value = match rng.below(3) {
                0 => value,
                1 => value.wrapping_neg(),
                _ => value.wrapping_sub(1),
            };
            put_int(input, at, width, value, rng.one_in(2));
        }
        3 => {
            let width = *rng.pick(&[1, 2, 4]);
            let delta = 1 + rng.below(35) as u64;
            let big_endian = rng.one_in(2);
            let value = get_int(input, at, width, big_endian);
            let value = if rng.one_in(2) {
                value.wrapping_add(delta)
            } else {
                value.wrapping_sub(delta)
            };
            put_int(input, at, width, value, big_endian);
        }
        4 => {
            let n = 1 + rng.below(16);
            let bytes = random_bytes(rng, n);
            input.splice(at..at, bytes);
        }
        5 => {
            let end = (at + 1 + rng.below(64.min(len - at))).min(len);
            input.drain(at..end);
        }
        6 => {
            let (from, n) = range(rng, len);
            let copy = input[from..from + n].to_vec();
            let to = rng.below(len + 1);
            input.splice(to..to, copy);
        }
        7 => {
            let (from, n) = range(rng, len);
            let to = rng.below(len - n + 1);
            input.copy_within(from..from + n, to);
        }
        8 => {
            let other = rng.pick(material.seeds);
            if !other.is_empty() {
                let cut = rng.below(other.len());
                if rng.one_in(2) {
                    input.truncate(at);
                    input.extend_from_slice(&other[cut..]);
                } else {
                    let n = rng.below(other.len() - cut).min(256) + 1;
                    let to = rng.below(len + 1);
                    input.splice(to..to, other[cut..cut + n].iter().copied());
                }
            }
        }
        9 => input.truncate(at),
        10 | 11 if !material.dictionary.is_empty() => {
            let token = rng.pick(material.dictionary);
            if rng.one_in(2) {
                input.splice(at..at, token.iter().copied());
            } else {
                let end = (at + token.len()).min(len);
                input.splice(at..end, token.iter().copied());
            }
        }
        _ => {
            let n = 1 + rng.below(8.min(len - at));
            let byte = rng.next_u64() as u8;
            input[at..at + n].fill(byte);
        }
    }
}

/// A random range of a buffer of `len` (> 0) bytes: start and length, at most 256 bytes.
fn range(rng: &mut Rng, len: usize) -> (usize, usize) {
    let from = rng.below(len);
    let n = 1 + rng.below((len - from).min(256));
    (from, n)
}

fn random_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.next_u64() as u8).collect()
}

/// Writes the low `width` bytes of `value` at `at` (as many as fit).
fn put_int(input: &mut [u8], at: usize, width: usize, value: u64, big_endian: bool) {
    let bytes = if big_endian {
        value.to_be_bytes()[8 - width..].to_vec()
    } else {
        value.to_le_bytes()[..width].to_vec()
    };
    let n = width.min(input.len() - at);
    input[at..at + n].copy_from_slice(&bytes[..n]);
}

/// Reads `width` bytes at `at` as an integer (missing bytes read as 0).
fn get_int(input: &[u8], at: usize, width: usize, big_endian: bool) -> u64 {
    let mut bytes = [0u8; 8];
    let n = width.min(input.len() - at);
    if big_endian {
        bytes[8 - width..8 - width + n].copy_from_slice(&input[at..at + n]);
        u64::from_be_bytes(bytes)
    } else {
        bytes[..n].copy_from_slice(&input[at..at + n]);
        u64::from_le_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_case_gives_the_same_input() {
        let seeds = vec![
            b"RIFF....WAVEfmt ".to_vec(),
            b"fLaC\x00\x00\x00\x22".to_vec(),
        ];
        let material = Material {
            seeds: &seeds,
            dictionary: &[b"data".to_vec(), b"OggS".to_vec()],
            max_len: 64,
        };
        let run = |case| {
            let mut rng = Rng::for_case(7, "decode", case);
            let mut input = seeds[0].clone();
            havoc(&mut rng, &mut input, &material);
            input
        };
        assert_eq!(run(3), run(3));
        let distinct: std::collections::BTreeSet<_> = (0..200).map(run).collect();
        assert!(distinct.len() > 150, "{} distinct inputs", distinct.len());
        assert!(distinct.iter().all(|i| i.len() <= 64));
    }

    #[test]
    fn splitmix64_matches_its_reference_output() {
        // Reference: the first outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }
}
