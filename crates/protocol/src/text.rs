//! Text that people write (strip names, file paths, lesson texts, student names): stored as
//! written, shown safely.
//!
//! A name is whatever a person writes: Persian joins letters with a zero-width non-joiner
//! (`کتاب‌ها`), an emoji is built with zero-width joiners (`👩‍🎤`), a right-to-left name may carry
//! a right-to-left mark. So what is stored keeps every character, and what could mislead is
//! dealt with where text is shown ([`shown`]): the characters that reorder text by force (bidi
//! embeddings, overrides and isolates) and control characters are written out as escapes, and
//! text with right-to-left letters is isolated so it cannot reorder what stands beside it.

use std::borrow::Cow;

/// First Strong Isolate: what follows takes its direction from its own first letter.
const FSI: char = '\u{2068}';
/// Pop Directional Isolate: ends what [`FSI`] began.
const PDI: char = '\u{2069}';

/// Whether `c` reorders text by force: the bidi embedding, override and isolate controls.
pub(crate) const fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is a right-to-left letter or mark (Hebrew, Arabic, Syriac, Thaana, N'Ko and the
/// other right-to-left blocks, which hold the Arabic letter mark; their presentation forms;
/// and the right-to-left mark).
const fn right_to_left(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFE}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}'
        | '\u{200F}')
}

/// `text` as the page and the CLI show it: control characters and the bidi controls that
/// reorder by force written as escapes (`\u{202e}`), and text with right-to-left letters or
/// marks wrapped in an isolate (FSI … PDI) so that it reads right within itself and leaves the
/// text around it as it was. Text with neither comes back as it is, borrowed.
pub fn shown(text: &str) -> Cow<'_, str> {
    let escapes = text.chars().any(|c| c.is_control() || reorders(c));
    let isolate = text.chars().any(right_to_left);
    if !escapes && !isolate {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    if isolate {
        out.push(FSI);
    }
    for c in text.chars() {
        if c.is_control() || reorders(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    if isolate {
        out.push(PDI);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_joined_text_is_shown_as_written() {
        // Reference: Unicode 15, ZWJ sequences (UTS #51) and the ZWNJ of Persian orthography.
        for text in [
            "Kick",
            "👩\u{200D}🎤 vox",
            "Bass (DI) — take 2",
            "例え",
            "naïve",
        ] {
            assert!(
                matches!(shown(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn right_to_left_text_is_isolated_and_keeps_its_joiners() {
        // Reference: UAX #9, isolates (FSI U+2068, PDI U+2069).
        let persian = "کتاب\u{200C}ها.wav";
        assert_eq!(shown(persian), format!("\u{2068}{persian}\u{2069}"));
        let marked = "\u{200F}Lead";
        assert_eq!(shown(marked), format!("\u{2068}{marked}\u{2069}"));
    }

    #[test]
    fn forced_reordering_and_controls_are_escaped() {
        // Reference: the "Trojan Source" spoof (CVE-2021-42574): an override makes "exe" read
        // as "gpj".
        assert_eq!(shown("Vox\u{202E}gpj.exe"), "Vox\\u{202e}gpj.exe");
        assert_eq!(shown("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
        assert_eq!(shown("Drums\n\u{1b}[31m"), "Drums\\u{a}\\u{1b}[31m");
        // What names refuse: `char::is_control`, the C0, DEL and C1 controls (Unicode Cc).
        assert!('\u{85}'.is_control() && !'\u{200C}'.is_control() && !' '.is_control());
    }
}
