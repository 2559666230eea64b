//! Gain conversions shared by the engine and the UI, and memory sizes as the page and the CLI
//! write them.

/// The lowest fader position in dB. A gain at or below it is silence (shown as "−∞ dB").
pub const SILENCE_DB: f32 = -100.0;

/// Converts a gain in dB to a linear factor; anything at or below [`SILENCE_DB`] is exactly 0.
pub fn db_to_lin(gain_db: f32) -> f32 {
    if gain_db <= SILENCE_DB {
        0.0
    } else {
        10.0_f32.powf(gain_db / 20.0)
    }
}

/// Converts a linear amplitude to dB; 0 (and below) maps to [`SILENCE_DB`].
pub fn lin_to_db(gain_lin: f32) -> f32 {
    if gain_lin > 0.0 {
        (20.0 * gain_lin.log10()).max(SILENCE_DB)
    } else {
        SILENCE_DB
    }
}

/// Converts a mean square (power, linear) to dB; 0 maps to [`SILENCE_DB`].
pub fn power_to_db(mean_square: f32) -> f32 {
    if mean_square > 0.0 {
        (10.0 * mean_square.log10()).max(SILENCE_DB)
    } else {
        SILENCE_DB
    }
}

/// `bytes` of memory for a person, rounded up (a need is never understated): "3.0 GiB" from
/// 1 GiB on, else "512 MiB", else "16 KiB".
pub fn memory_size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes.div_ceil(1 << 20))
    } else {
        format!("{} KiB", bytes.div_ceil(1 << 10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_floors() {
        assert_eq!(db_to_lin(0.0), 1.0);
        assert!((db_to_lin(-6.0) - 0.501_187).abs() < 1e-6);
        assert!((db_to_lin(12.0) - 3.981_072).abs() < 1e-5);
        assert_eq!(db_to_lin(SILENCE_DB), 0.0);
        assert_eq!(db_to_lin(-120.0), 0.0);
        assert!((lin_to_db(0.5) + 6.020_6).abs() < 1e-3);
        assert_eq!(lin_to_db(0.0), SILENCE_DB);
        assert_eq!(lin_to_db(1e-12), SILENCE_DB);
        assert!((power_to_db(0.25) + 6.020_6).abs() < 1e-3);
        for db in [-60.0_f32, -24.5, -6.0, 0.0, 3.0, 12.0] {
            assert!((lin_to_db(db_to_lin(db)) - db).abs() < 1e-4, "{db}");
        }
    }

    #[test]
    fn memory_sizes_round_up() {
        assert_eq!(memory_size(3 << 30), "3.0 GiB");
        assert_eq!(memory_size(1_360_000_000_000), "1266.6 GiB");
        assert_eq!(memory_size(100 << 20), "100 MiB");
        assert_eq!(memory_size((100 << 20) + 1), "101 MiB");
        assert_eq!(memory_size(16 << 10), "16 KiB");
        assert_eq!(memory_size(1), "1 KiB");
    }
}
