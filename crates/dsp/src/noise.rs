//! Deterministic white noise, for test signals and benchmarks.

/// `frames` samples of white noise uniform in −`amplitude`..`amplitude`, from a 32-bit xorshift
/// generator seeded with `seed` (0 counts as 1). The same seed always gives the same samples.
/// Allocates: not for the audio thread.
pub fn white_noise(seed: u32, amplitude: f32, frames: usize) -> Vec<f32> {
    let mut state = seed.max(1);
    (0..frames)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            amplitude * ((state as f32 / u32::MAX as f32) * 2.0 - 1.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_repeatable_bounded_and_roughly_flat() {
        let a = white_noise(7, 0.5, 48_000);
        assert_eq!(a, white_noise(7, 0.5, 48_000));
        assert_ne!(a, white_noise(8, 0.5, 48_000));
        assert!(a.iter().all(|x| x.abs() <= 0.5));
        let mean = a.iter().sum::<f32>() / a.len() as f32;
        let ms = a.iter().map(|x| x * x).sum::<f32>() / a.len() as f32;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!(
            (ms - 0.25 / 3.0).abs() < 0.003,
            "uniform variance a²/3: {ms}"
        );
    }
}
