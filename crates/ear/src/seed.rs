//! Seeded choices drawn from SplitMix64 ([`mixroom_protocol::splitmix`]), the same on every
//! platform, so a seed replays a round.

/// A stream of choices from a 64-bit seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed(u64);

impl Seed {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Seed {
        Seed(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        mixroom_protocol::splitmix::next(&mut self.0)
    }

    /// A choice of `0..n` (`n` > 0), each equally likely (rejection of the biased tail).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "a choice needs at least one option");
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// Heads or tails.
    pub fn coin(&mut self) -> bool {
        self.next_u64() >> 63 == 1
    }

    /// One of `options` (not empty).
    pub fn pick<'a, T>(&mut self, options: &'a [T]) -> &'a T {
        &options[self.below(options.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_splitmix64() {
        let mut s = Seed::new(0);
        let mut state = 0;
        for _ in 0..3 {
            assert_eq!(s.next_u64(), mixroom_protocol::splitmix::next(&mut state));
        }
    }

    #[test]
    fn choices_are_in_range_and_even() {
        let mut s = Seed::new(42);
        let mut counts = [0u32; 9];
        for _ in 0..90_000 {
            counts[s.below(9)] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
        let same: Vec<usize> = (0..5).map(|_| Seed::new(7).below(1000)).collect();
        assert!(same.iter().all(|&x| x == same[0]));
    }
}
