//! The song on paper: tempo, grid, chords, sections and every part's notes and hits.
//!
//! 16 bars of 4/4 at 100 BPM in A minor, the progression Am – F – C – G once per four bars:
//!
//! | bars | section | what plays |
//! |---|---|---|
//! | 1–4 | intro | pad, guitar arpeggios, bass on whole notes, kick on 1 and 3, hi-hat eighths; shaker from bar 3, backbeat from bar 3, a snare pickup into bar 5 |
//! | 5–8 | groove | full kit, bass eighths, keys comping (3 + 3 + 2), crash on bar 5, a tom pickup into bar 9 |
//! | 9–15 | lead | the groove with sixteenth hi-hats and the lead melody; crashes on bars 9 and 13 |
//! | 16 | fill | a snare and tom fill, the bass walking down to E1, leading back to bar 1 |
//!
//! Positions are in sixteenth-note steps from the start of the song (256 steps), plus a small
//! offset in seconds for the players' timing (kick and snare sit exactly on the grid).

use crate::{SONG_SECONDS, TEMPO_BPM};

/// Bars in the song.
pub const BARS: usize = 16;
/// Grid steps (sixteenth notes) per bar.
pub const STEPS_PER_BAR: usize = 16;
/// Grid steps in the song.
pub const SONG_STEPS: usize = BARS * STEPS_PER_BAR;

/// Converts musical time to frames at one sample rate.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Sample rate, Hz.
    pub sample_rate_hz: f32,
    /// Length of the song in frames.
    pub frames: usize,
}

impl Clock {
    /// The clock of a render at `sample_rate_hz`.
    pub fn new(sample_rate_hz: f32) -> Clock {
        Clock {
            sample_rate_hz,
            frames: (f64::from(SONG_SECONDS) * f64::from(sample_rate_hz)).round() as usize,
        }
    }

    /// Seconds per step.
    pub fn step_seconds() -> f64 {
        15.0 / f64::from(TEMPO_BPM)
    }

    /// The frame of grid step `step` shifted by `offset_s` seconds (not wrapped).
    pub fn frame(&self, step: f32, offset_s: f32) -> i64 {
        let t = f64::from(step) * Self::step_seconds() + f64::from(offset_s);
        (t * f64::from(self.sample_rate_hz)).round() as i64
    }

    /// The frame of grid step `step` shifted by `offset_s` seconds, wrapped onto the loop.
    pub fn at(&self, step: f32, offset_s: f32) -> usize {
        self.frame(step, offset_s)
            .rem_euclid(self.frames.max(1) as i64) as usize
    }

    /// The length of `steps` grid steps, frames.
    pub fn steps(&self, steps: f32) -> usize {
        (f64::from(steps) * Self::step_seconds() * f64::from(self.sample_rate_hz)).round() as usize
    }

    /// The length of `seconds`, frames.
    pub fn seconds(&self, seconds: f32) -> usize {
        (seconds * self.sample_rate_hz).round() as usize
    }
}

/// The part of the song a bar belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Bars 1–4.
    Intro,
    /// Bars 5–8.
    Groove,
    /// Bars 9–15.
    Lead,
    /// Bar 16.
    Fill,
}

/// The section of bar `bar` (0-based).
pub fn section(bar: usize) -> Section {
    match bar {
        0..=3 => Section::Intro,
        4..=7 => Section::Groove,
        15 => Section::Fill,
        _ => Section::Lead,
    }
}

/// A chord and how each part voices it (MIDI note numbers).
#[derive(Clone, Copy, Debug)]
pub struct Chord {
    /// Name, e.g. "Am".
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub name: &'static str,
    /// Pitch classes of the triad (0 = C).
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub pitch_classes: [u8; 3],
    /// Bass root (octave 1–2).
    pub bass: u8,
    /// Guitar arpeggio shape, low to high ("strings").
    pub guitar: [u8; 5],
    /// Electric-piano voicing.
    pub keys: [u8; 4],
    /// Pad voicing.
    pub pad: [u8; 4],
}

/// i – VI – III – VII in A minor.
pub const PROGRESSION: [Chord; 4] = [
    Chord {
        name: "Am",
        pitch_classes: [9, 0, 4],
        bass: 33,
        guitar: [45, 52, 57, 60, 64],
        keys: [52, 57, 60, 64],
        pad: [45, 57, 60, 64],
    },
    Chord {
        name: "F",
        pitch_classes: [5, 9, 0],
        bass: 29,
        guitar: [41, 48, 53, 57, 60],
        keys: [53, 57, 60, 65],
        pad: [41, 53, 57, 60],
    },
    Chord {
        name: "C",
        pitch_classes: [0, 4, 7],
        bass: 36,
        guitar: [48, 55, 60, 64, 67],
        keys: [52, 55, 60, 64],
        pad: [48, 55, 60, 64],
    },
    Chord {
        name: "G",
        pitch_classes: [7, 11, 2],
        bass: 31,
        guitar: [43, 50, 55, 59, 62],
        keys: [50, 55, 59, 62],
        pad: [43, 55, 59, 62],
    },
];

/// Pitch classes of A natural minor.
#[cfg(test)]
pub const A_MINOR: [u8; 7] = [9, 11, 0, 2, 4, 5, 7];

/// The chord of bar `bar`.
pub fn chord(bar: usize) -> &'static Chord {
    &PROGRESSION[bar % PROGRESSION.len()]
}

/// A deterministic "human" deviation in −1..1 for event `index` of part `part`.
pub fn jitter(part: u32, index: u32) -> f32 {
    let mut s = part
        .wrapping_mul(0x9E37_79B9)
        .wrapping_add(index.wrapping_mul(0x85EB_CA6B))
        .wrapping_add(0x27D4_EB2F);
    s ^= s >> 15;
    s = s.wrapping_mul(0x2C1B_3C6D);
    s ^= s >> 12;
    s = s.wrapping_mul(0x297A_2D39);
    s ^= s >> 15;
    (s as f32 / u32::MAX as f32) * 2.0 - 1.0
}

/// A pitched note.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Note {
    /// Start, grid steps from the top of the song.
    pub step: f32,
    /// Timing offset, s.
    pub offset_s: f32,
    /// Held length, grid steps.
    pub len: f32,
    /// MIDI note number.
    pub midi: u8,
    /// Velocity, 0..1 (a gain).
    pub velocity: f32,
}

#[cfg(test)]
impl Note {
    /// The note's frequency, Hz.
    pub fn hz(&self) -> f32 {
        crate::synth::midi_hz(self.midi)
    }

    /// The bar it starts in.
    pub fn bar(&self) -> usize {
        (self.step as usize / STEPS_PER_BAR) % BARS
    }
}

fn note(bar: usize, step: f32, len: f32, midi: u8, velocity: f32) -> Note {
    Note {
        step: (bar * STEPS_PER_BAR) as f32 + step,
        offset_s: 0.0,
        len,
        midi,
        velocity,
    }
}

/// The bass line: whole notes in the intro, an eighth-note line (root, octave, fifth) from the
/// groove on, and a walk down G–F–E–E into the top of the loop.
pub fn bass() -> Vec<Note> {
    let mut notes = Vec::new();
    for bar in 0..BARS {
        let root = chord(bar).bass;
        let line: &[(f32, f32, i8, f32)] = match section(bar) {
            Section::Intro if bar < 3 => &[(0.0, 15.0, 0, 1.0)],
            Section::Intro => &[
                (0.0, 7.0, 0, 1.0),
                (8.0, 5.0, 0, 0.9),
                (14.0, 2.0, 12, 0.85),
            ],
            Section::Groove | Section::Lead => &[
                (0.0, 5.0, 0, 1.0),
                (6.0, 1.6, 0, 0.8),
                (8.0, 1.8, 0, 0.95),
                (10.0, 1.8, 12, 0.8),
                (12.0, 1.8, 7, 0.85),
                (14.0, 1.6, 0, 0.75),
            ],
            Section::Fill => &[
                (0.0, 5.0, 0, 1.0),
                (6.0, 1.6, 0, 0.8),
                (8.0, 1.8, 12, 0.9),
                (10.0, 1.8, 10, 0.85),
                (12.0, 1.8, 9, 0.85),
                (14.0, 1.8, -3, 0.9), // E1: the fifth below A, resolving to the top
            ],
        };
        for &(step, len, interval, velocity) in line {
            let midi = (i16::from(root) + i16::from(interval)) as u8;
            notes.push(note(bar, step, len, midi, velocity));
        }
    }
    notes
}

/// The guitar: eighth-note arpeggios over five "strings" (up and back down each bar), each
/// string ringing until it is plucked again (at most 1.8 s).
pub fn guitar() -> Vec<Note> {
    const ORDER: [usize; 8] = [0, 1, 2, 3, 4, 3, 2, 1];
    let mut plucks: Vec<(usize, Note)> = Vec::new();
    for bar in 0..BARS {
        let shape = chord(bar).guitar;
        for (eighth, &string) in ORDER.iter().enumerate() {
            let i = (bar * 8 + eighth) as u32;
            let mut n = note(
                bar,
                eighth as f32 * 2.0,
                0.0,
                shape[string],
                if eighth % 2 == 0 { 0.9 } else { 0.72 } + 0.08 * jitter(1, i),
            );
            n.offset_s = 0.004 * jitter(2, i);
            plucks.push((string, n));
        }
    }
    // Let ring: each string sounds until its next pluck (around the loop).
    let total = SONG_STEPS as f32;
    let mut notes = Vec::with_capacity(plucks.len());
    for (i, &(string, n)) in plucks.iter().enumerate() {
        let next = (1..=plucks.len())
            .map(|k| &plucks[(i + k) % plucks.len()])
            .find(|(s, _)| *s == string)
            .map_or(total, |(_, m)| (m.step - n.step).rem_euclid(total));
        let next = if next == 0.0 { total } else { next };
        let max_steps = (1.8 / Clock::step_seconds()) as f32;
        notes.push(Note {
            len: next.min(max_steps),
            ..n
        });
    }
    notes
}

/// The electric piano: from the groove on, chords in a 3 + 3 + 2 rhythm (steps 0, 6, 12), the
/// fill bar on beats 1 and 3; the voices rolled upwards by a few ms.
pub fn keys() -> Vec<Note> {
    let mut notes = Vec::new();
    for bar in 0..BARS {
        let rhythm: &[(f32, f32, f32)] = match section(bar) {
            Section::Intro => &[],
            Section::Groove | Section::Lead => {
                &[(0.0, 5.0, 0.9), (6.0, 5.0, 0.72), (12.0, 3.5, 0.8)]
            }
            Section::Fill => &[(0.0, 5.0, 0.9), (8.0, 5.0, 0.8)],
        };
        for (h, &(step, len, velocity)) in rhythm.iter().enumerate() {
            let hit = (bar * 4 + h) as u32;
            for (v, &midi) in chord(bar).keys.iter().enumerate() {
                let mut n = note(
                    bar,
                    step,
                    len,
                    midi,
                    velocity * (1.0 + 0.06 * jitter(3, hit)),
                );
                n.offset_s = 0.004 * v as f32 + 0.003 * jitter(4, hit);
                notes.push(n);
            }
        }
    }
    notes
}

/// The pad: the whole chord held for every bar.
pub fn pad() -> Vec<Note> {
    (0..BARS)
        .flat_map(|bar| {
            chord(bar)
                .pad
                .iter()
                .map(move |&midi| note(bar, 0.0, 16.0, midi, 1.0))
        })
        .collect()
}

/// A note of the lead line: a [`Note`] and whether the pitch glides into it from the previous
/// one (legato, no new attack).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeadNote {
    /// The note.
    pub note: Note,
    /// Glide from the previous note instead of a new attack.
    pub glide: bool,
}

/// The lead melody, bars 9–16: two four-bar phrases on chord tones at every downbeat, with
/// glides into the leaps.
pub fn lead() -> Vec<LeadNote> {
    // (bar, step, length, midi, glide)
    const LINE: [(usize, f32, f32, u8, bool); 28] = [
        (8, 0.0, 6.0, 76, false),
        (8, 6.0, 2.0, 74, true),
        (8, 8.0, 4.0, 72, false),
        (8, 12.0, 4.0, 74, false),
        (9, 0.0, 6.0, 72, true),
        (9, 8.0, 4.0, 69, false),
        (9, 12.0, 4.0, 72, false),
        (10, 0.0, 4.0, 76, false),
        (10, 4.0, 4.0, 79, true),
        (10, 8.0, 6.0, 76, false),
        (10, 14.0, 2.0, 74, false),
        (11, 0.0, 10.0, 74, false),
        (11, 10.0, 2.0, 71, false),
        (11, 12.0, 4.0, 74, false),
        (12, 0.0, 6.0, 81, true),
        (12, 6.0, 2.0, 79, true),
        (12, 8.0, 4.0, 76, false),
        (12, 12.0, 4.0, 72, false),
        (13, 0.0, 6.0, 77, false),
        (13, 6.0, 2.0, 76, true),
        (13, 8.0, 6.0, 72, false),
        (14, 0.0, 4.0, 79, false),
        (14, 4.0, 4.0, 76, false),
        (14, 8.0, 6.0, 72, false),
        (14, 14.0, 2.0, 71, false),
        (15, 0.0, 8.0, 74, true),
        (15, 8.0, 7.0, 71, true),
        (15, 15.0, 1.0, 69, true),
    ];
    LINE.iter()
        .enumerate()
        .map(|(i, &(bar, step, len, midi, glide))| LeadNote {
            note: Note {
                offset_s: 0.006 + 0.003 * jitter(5, i as u32),
                ..note(bar, step, len, midi, 1.0 + 0.05 * jitter(6, i as u32))
            },
            glide,
        })
        .collect()
}

/// The pieces of the drum kit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Piece {
    /// Bass drum.
    Kick,
    /// Snare drum.
    Snare,
    /// Closed hi-hat; the variant (0..3) is a different stroke.
    HatClosed(u8),
    /// Open hi-hat (choked by the next hi-hat stroke).
    HatOpen,
    /// Rack tom.
    TomHi,
    /// Floor tom.
    TomLo,
    /// Crash cymbal (heard in the overheads and room only).
    Crash,
}

/// One stroke on the kit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// What is struck.
    pub piece: Piece,
    /// Grid step from the top of the song.
    pub step: f32,
    /// Timing offset, s.
    pub offset_s: f32,
    /// Velocity, 0..1 (a gain).
    pub velocity: f32,
}

/// Every drum stroke of the song, in time order per piece.
pub fn drums() -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut push = |bar: usize, step: f32, piece: Piece, velocity: f32, offset_s: f32| {
        hits.push(Hit {
            piece,
            step: (bar * STEPS_PER_BAR) as f32 + step,
            offset_s,
            velocity,
        });
    };
    for bar in 0..BARS {
        let sec = section(bar);
        // Kick: exactly on the grid.
        let kick: &[f32] = match sec {
            Section::Intro if bar < 3 => &[0.0, 8.0],
            Section::Intro => &[0.0, 8.0, 10.0],
            Section::Groove | Section::Lead if bar % 2 == 0 => &[0.0, 6.0, 8.0],
            Section::Groove | Section::Lead => &[0.0, 6.0, 8.0, 10.0],
            Section::Fill => &[0.0, 6.0, 8.0, 12.0],
        };
        for &s in kick {
            let v = if s == 0.0 || s == 8.0 { 1.0 } else { 0.85 };
            push(bar, s, Piece::Kick, v, 0.0);
        }
        // Snare: backbeat on 2 and 4 from bar 3, ghost notes, pickups into sections.
        let snare: &[(f32, f32)] = match (sec, bar) {
            (Section::Intro, 0 | 1) => &[],
            (Section::Intro, 2) => &[(4.0, 0.9), (12.0, 0.9)],
            (Section::Intro, _) => &[
                (4.0, 0.9),
                (12.0, 0.9),
                (13.0, 0.45),
                (14.0, 0.6),
                (15.0, 0.8),
            ],
            (Section::Fill, _) => &[(4.0, 1.0), (8.0, 0.85), (9.0, 0.6)],
            (_, 11) => &[(4.0, 1.0), (12.0, 1.0), (14.0, 0.55), (15.0, 0.75)],
            (_, b) if b % 2 == 1 => &[(4.0, 1.0), (7.0, 0.22), (12.0, 1.0), (15.0, 0.2)],
            _ => &[(4.0, 1.0), (10.0, 0.2), (12.0, 1.0)],
        };
        for &(s, v) in snare {
            push(bar, s, Piece::Snare, v, 0.0);
        }
        // Toms: a pickup into the lead section and the fill back to the top.
        let toms: &[(f32, Piece, f32)] = match bar {
            7 => &[(14.0, Piece::TomHi, 0.8), (15.0, Piece::TomLo, 0.9)],
            15 => &[
                (10.0, Piece::TomHi, 0.85),
                (11.0, Piece::TomHi, 0.7),
                (12.0, Piece::TomHi, 0.9),
                (13.0, Piece::TomLo, 0.8),
                (14.0, Piece::TomLo, 0.9),
                (15.0, Piece::TomLo, 1.0),
            ],
            _ => &[],
        };
        for &(s, piece, v) in toms {
            push(bar, s, piece, v, 0.0);
        }
        // Crash on the downbeat of every four-bar phrase (bar 1 is the loop's landing).
        if bar % 4 == 0 {
            push(bar, 0.0, Piece::Crash, 1.0, 0.0);
        }
        // Hi-hat: eighths, sixteenths in the lead section, open on the "and" of 4 before a
        // phrase, silent under the fill.
        let sixteenths = sec == Section::Lead;
        for s in 0..STEPS_PER_BAR {
            let i = (bar * STEPS_PER_BAR + s) as u32;
            if sec == Section::Fill && s >= 8 {
                break;
            }
            let on_eighth = s % 2 == 0;
            if !on_eighth && !sixteenths {
                continue;
            }
            let open = s == 14 && bar % 4 == 3 && sec != Section::Fill;
            let v = match s % 4 {
                0 => 1.0,
                2 => 0.72,
                _ => 0.45,
            } * (1.0 + 0.08 * jitter(7, i));
            let piece = if open {
                Piece::HatOpen
            } else {
                Piece::HatClosed((i % 3) as u8)
            };
            push(bar, s as f32, piece, v, 0.002 * jitter(8, i));
        }
    }
    hits.sort_by(|a, b| {
        (a.piece, a.step)
            .partial_cmp(&(b.piece, b.step))
            .expect("finite")
    });
    hits
}

/// A shaker stroke: grid step, velocity and timing offset (the offbeat sixteenths swing late).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shake {
    /// Grid step from the top of the song.
    pub step: f32,
    /// Timing offset, s.
    pub offset_s: f32,
    /// Velocity, 0..1.
    pub velocity: f32,
    /// Which recorded stroke (0..4).
    pub variant: u8,
}

/// The shaker: sixteenths from bar 3 on, accents on the eighth-note offbeats, swung.
pub fn shaker() -> Vec<Shake> {
    (2 * STEPS_PER_BAR..SONG_STEPS)
        .map(|step| {
            let i = step as u32;
            let accent = match step % 4 {
                2 => 1.0,
                0 => 0.7,
                _ => 0.45,
            };
            Shake {
                step: step as f32,
                offset_s: if step % 2 == 1 { 0.014 } else { 0.0 } + 0.002 * jitter(9, i),
                velocity: accent * (1.0 + 0.1 * jitter(10, i)),
                variant: (i % 4) as u8,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pitch_class(midi: u8) -> u8 {
        midi % 12
    }

    #[test]
    fn the_song_is_sixteen_bars_long() {
        // Reference: 16 bars × 4 beats × 60 / 100 BPM = 38.4 s.
        let seconds = BARS as f64 * 4.0 * 60.0 / f64::from(TEMPO_BPM);
        assert!((seconds - f64::from(SONG_SECONDS)).abs() < 1e-5);
        assert_eq!(Clock::new(48_000.0).frames, 1_843_200);
        assert_eq!(Clock::new(44_100.0).frames, 1_693_440);
        assert_eq!(
            Clock::new(48_000.0).at(16.0, 0.0),
            115_200,
            "one bar = 2.4 s"
        );
        assert_eq!(Clock::new(48_000.0).at(256.0, -0.001), 1_843_152, "wraps");
    }

    #[test]
    fn harmony_parts_play_chord_tones() {
        // Reference: the triads of the progression (music theory: voicings use only chord tones).
        for (part, notes) in [("guitar", guitar()), ("keys", keys()), ("pad", pad())] {
            for n in notes {
                let c = chord(n.bar());
                assert!(
                    c.pitch_classes.contains(&pitch_class(n.midi)),
                    "{part} plays {} over {} in bar {}",
                    n.midi,
                    c.name,
                    n.bar() + 1
                );
            }
        }
    }

    #[test]
    fn bass_plays_roots_on_downbeats_and_stays_in_key() {
        // Reference: the chord roots of Am–F–C–G; A natural minor for every other note.
        for n in bass() {
            assert!(A_MINOR.contains(&pitch_class(n.midi)), "{}", n.midi);
            if (n.step as usize).is_multiple_of(STEPS_PER_BAR) {
                assert_eq!(n.midi, chord(n.bar()).bass, "bar {}", n.bar() + 1);
            }
            assert!((41.0..=131.0).contains(&n.hz()), "E1..C3: {}", n.hz());
        }
    }

    #[test]
    fn melody_is_in_key_with_chord_tones_on_the_strong_beats() {
        // Reference: A natural minor; beats 1 and 3 land on chord tones.
        for l in lead() {
            let n = l.note;
            assert!(A_MINOR.contains(&pitch_class(n.midi)), "{}", n.midi);
            let step = n.step as usize % STEPS_PER_BAR;
            if step == 0 || step == 8 {
                let c = chord(n.bar());
                assert!(
                    c.pitch_classes.contains(&pitch_class(n.midi)),
                    "bar {} step {step}",
                    n.bar() + 1
                );
            }
        }
    }

    #[test]
    fn every_hit_is_on_the_sixteenth_grid() {
        // Reference: the grid; only hi-hat strokes are humanized, by at most 2 ms.
        for h in drums() {
            assert_eq!(h.step.fract(), 0.0);
            assert!((0.0..SONG_STEPS as f32).contains(&h.step));
            match h.piece {
                Piece::HatClosed(_) | Piece::HatOpen => assert!(h.offset_s.abs() <= 0.002),
                _ => assert_eq!(h.offset_s, 0.0),
            }
        }
    }
}
