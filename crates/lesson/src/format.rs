//! Numbers and ranges as the student reads them: a true minus sign, at most the decimals that
//! matter, the unit after a thin space of text.

/// `value` with `decimals` decimals, trailing zeros dropped, a minus sign (U+2212) for
/// negatives: `-16.0` → "−16", `4.25` (1 decimal) → "4.3" (rounded half away from zero by
/// `format!`'s rules), `-0.04` → "0".
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    match text.strip_prefix('-') {
        Some("0") => "0".to_owned(),
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// A value and its unit: "−14 LUFS", "35 %" is written "35%", a bare correlation "0.5".
pub fn with_unit(value: f64, unit: &str, decimals: usize) -> String {
    match unit {
        "" => number(value, decimals),
        "%" => format!("{}%", number(value, decimals)),
        _ => format!("{} {unit}", number(value, decimals)),
    }
}

/// A range as the student reads it: "−16 to −12 LUFS", "at least −6 dB", "at most −1 dBTP".
pub fn range(min: Option<f64>, max: Option<f64>, unit: &str, decimals: usize) -> String {
    match (min, max) {
        (Some(min), Some(max)) => {
            let low = number(min, decimals);
            let high = with_unit(max, unit, decimals);
            format!("{low} to {high}")
        }
        (Some(min), None) => format!("at least {}", with_unit(min, unit, decimals)),
        (None, Some(max)) => format!("at most {}", with_unit(max, unit, decimals)),
        (None, None) => "any".to_owned(),
    }
}

/// A frequency: "60 Hz", "2.5 kHz".
pub fn hz(value: f64) -> String {
    if value >= 1000.0 {
        format!("{} kHz", number(value / 1000.0, 1))
    } else {
        format!("{} Hz", number(value, 0))
    }
}

/// A band: "40–120 Hz", "2–4 kHz", "500 Hz–1 kHz".
pub fn band(low_hz: f64, high_hz: f64) -> String {
    match (low_hz >= 1000.0, high_hz >= 1000.0) {
        (false, false) => format!("{}–{} Hz", number(low_hz, 0), number(high_hz, 0)),
        (true, true) => format!(
            "{}–{} kHz",
            number(low_hz / 1000.0, 1),
            number(high_hz / 1000.0, 1)
        ),
        _ => format!("{}–{}", hz(low_hz), hz(high_hz)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_the_page_writes() {
        assert_eq!(number(-16.0, 1), "−16");
        assert_eq!(number(4.24, 1), "4.2");
        assert_eq!(number(-0.04, 1), "0");
        assert_eq!(
            range(Some(-16.0), Some(-12.0), "LUFS", 1),
            "−16 to −12 LUFS"
        );
        assert_eq!(range(None, Some(-1.0), "dBTP", 1), "at most −1 dBTP");
        assert_eq!(range(Some(0.5), None, "", 2), "at least 0.5");
        assert_eq!(range(None, Some(40.0), "%", 0), "at most 40%");
        assert_eq!(band(40.0, 120.0), "40–120 Hz");
        assert_eq!(band(500.0, 2000.0), "500 Hz–2 kHz");
        assert_eq!(hz(2500.0), "2.5 kHz");
    }
}
