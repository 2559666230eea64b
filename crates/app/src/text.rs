//! Numbers as the page writes them for people.

/// A level with one decimal, a real minus sign and its unit ("−14.2 LUFS"), or "−∞ LUFS".
pub fn level(value: f32, unit: &str) -> String {
    if value.is_finite() {
        format!("{value:.1} {unit}").replace('-', "−")
    } else {
        format!("−∞ {unit}")
    }
}

/// `text` with its first letter in upper case ("the link…" → "The link…").
pub fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
