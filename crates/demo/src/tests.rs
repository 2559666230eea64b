//! Whole-song tests: every stem rendered, measured and compared with a stated reference.
//!
//! The full renders at 44.1 and 48 kHz are made once and shared by the tests.

use std::sync::OnceLock;

use crate::analysis::*;
use crate::score::{self, Clock, Piece};
use crate::*;

fn stems_at(rate: f32) -> &'static [Stem] {
    static AT_48K: OnceLock<Vec<Stem>> = OnceLock::new();
    static AT_44K: OnceLock<Vec<Stem>> = OnceLock::new();
    match rate as u32 {
        48_000 => AT_48K.get_or_init(|| render_stems(48_000.0)),
        44_100 => AT_44K.get_or_init(|| render_stems(44_100.0)),
        _ => unreachable!("only 44.1 and 48 kHz are cached"),
    }
}

fn mono<'a>(stems: &'a [Stem], id: &str) -> &'a [f32] {
    &stems.iter().find(|s| s.id == id).expect("a stem").channels[0]
}

const RATES: [f32; 2] = [44_100.0, 48_000.0];

#[test]
fn renders_are_deterministic() {
    // Reference: the first render; a second one must be identical, sample for sample.
    let again = render_stems(48_000.0);
    assert!(again == stems_at(48_000.0), "two renders differ");
    for id in ["room", "lead"] {
        let single = render_stem(id, 44_100.0).unwrap();
        assert_eq!(single.channels, [mono(stems_at(44_100.0), id)], "{id}");
    }
}

#[test]
fn stems_come_in_order_with_their_names() {
    // Reference: STEMS.
    for rate in RATES {
        let stems = stems_at(rate);
        assert_eq!(stems.len(), STEMS.len());
        assert!(stems.len() >= 14);
        for (s, (id, name)) in stems.iter().zip(STEMS) {
            assert_eq!((s.id, s.name), (*id, *name));
            assert!((1..=2).contains(&s.channels.len()));
        }
    }
    assert_eq!(render_stem("cowbell", 48_000.0), None);
}

#[test]
fn every_stem_lasts_exactly_the_song() {
    // Reference: round(SONG_SECONDS × rate) = 1 693 440 frames at 44.1 kHz, 1 843 200 at 48 kHz.
    assert!((30.0..=60.0).contains(&SONG_SECONDS));
    for (rate, frames) in [(44_100.0, 1_693_440), (48_000.0, 1_843_200)] {
        assert_eq!((SONG_SECONDS * rate).round() as usize, frames);
        for s in stems_at(rate) {
            for c in &s.channels {
                assert_eq!(c.len(), frames, "{} at {rate}", s.id);
            }
        }
    }
    // Rates outside 8..192 kHz are clamped.
    let low = render_stem("shaker", 1_000.0).unwrap();
    assert_eq!(
        low.channels[0].len(),
        (SONG_SECONDS * 8_000.0).round() as usize
    );
}

#[test]
fn stems_peak_at_or_below_minus_one_dbfs_and_are_finite() {
    // Reference: the brief's ceiling, −1 dBFS per stem; no NaN or infinity anywhere.
    for rate in RATES {
        let mut worst = (f32::MIN, "");
        for s in stems_at(rate) {
            let x = &s.channels[0];
            assert!(x.iter().all(|v| v.is_finite()), "{} has NaN/inf", s.id);
            let peak = peak_db(x);
            assert!(peak <= -1.0, "{} peaks at {peak:.2} dBFS", s.id);
            if peak > worst.0 {
                worst = (peak, s.id);
            }
        }
        println!(
            "{rate} Hz: loudest stem peak {:.2} dBFS ({})",
            worst.0, worst.1
        );
    }
}

#[test]
fn stems_have_their_instruments_spectral_character() {
    // References: the brief's bands (kick below 150 Hz, hi-hat above 5 kHz, bass fundamental
    // 40–120 Hz, muddy 200–500 Hz in pad/keys/guitar, lead above the pad), measured on a
    // Welch-averaged 8192-point spectrum of the whole stem.
    let rate = 48_000.0;
    let stems = stems_at(rate);
    let spec = |id: &str| spectrum(mono(stems, id), 8_192, 48);
    let kick = band_fraction(&spec("kick"), rate, 0.0, 150.0);
    let hat = band_fraction(&spec("hihat"), rate, 5_000.0, rate);
    let bass_peak = peak_hz(&spec("bass"), rate, 20.0, 1_000.0);
    println!(
        "kick below 150 Hz {kick:.3}, hi-hat above 5 kHz {hat:.3}, bass peak {bass_peak:.1} Hz"
    );
    assert!(kick > 0.8, "{kick}");
    assert!(hat > 0.9, "{hat}");
    assert!((40.0..=120.0).contains(&bass_peak), "{bass_peak}");
    for id in ["pad", "keys", "guitar"] {
        let mud = band_fraction(&spec(id), rate, 200.0, 500.0);
        println!("{id}: 200–500 Hz {mud:.3}");
        assert!(mud > 0.35, "{id}: {mud}");
    }
    let (lead, pad) = (
        median_hz(&spec("lead"), rate),
        median_hz(&spec("pad"), rate),
    );
    println!("median frequency: lead {lead:.0} Hz, pad {pad:.0} Hz");
    assert!(lead > 2.0 * pad, "lead {lead} Hz, pad {pad} Hz");
    // The overheads carry the cymbals: most of their energy is above 2 kHz (the close mics of
    // the shells have almost none there).
    for id in ["overhead_l", "overhead_r"] {
        let air = band_fraction(&spec(id), rate, 2_000.0, rate);
        println!("{id}: above 2 kHz {air:.3}");
        assert!(air > 0.45, "{id}: {air}");
    }
    let shells = band_fraction(&spec("tom_lo"), rate, 2_000.0, rate);
    assert!(shells < 0.05, "{shells}");
}

/// The scored kick strokes of the song, as frames at `rate`.
fn scored_kicks(rate: f32) -> Vec<usize> {
    let clock = Clock::new(rate);
    let mut kicks: Vec<usize> = score::drums()
        .iter()
        .filter(|h| h.piece == Piece::Kick)
        .map(|h| clock.at(h.step, h.offset_s))
        .collect();
    kicks.sort_unstable();
    kicks
}

#[test]
fn kick_onsets_land_on_the_beat_grid() {
    // Reference: the score's kick pattern on the sixteenth grid (step × 0.15 s at 100 BPM);
    // onsets detected in the rendered kick stem must match it one for one, within 2 ms.
    for rate in RATES {
        let kick = mono(stems_at(rate), "kick");
        let found = onsets(kick, rate);
        let expected = scored_kicks(rate);
        assert_eq!(found.len(), expected.len(), "{rate} Hz: {found:?}");
        let mut worst = 0.0_f32;
        for (f, e) in found.iter().zip(&expected) {
            let err_ms = (*f as f32 - *e as f32).abs() / rate * 1000.0;
            worst = worst.max(err_ms);
            assert!(err_ms <= 2.0, "{rate} Hz: kick at {f}, scored at {e}");
        }
        println!(
            "{rate} Hz: {} kicks, worst onset error {worst:.3} ms",
            found.len()
        );
        // Every scored kick is on the sixteenth grid.
        let step = Clock::step_seconds() * f64::from(rate);
        for e in &expected {
            let steps = *e as f64 / step;
            assert!((steps - steps.round()).abs() * Clock::step_seconds() < 1e-4);
        }
    }
    // Bar 5 (the groove) starts with a kick on the downbeat: 4 bars × 2.4 s.
    assert!(scored_kicks(48_000.0).contains(&(4 * 115_200)));
}

#[test]
fn timing_and_pitch_do_not_depend_on_the_sample_rate() {
    // Reference: the 48 kHz render; at 44.1 kHz every kick onset is at the same time (within
    // 0.5 ms, the detector's own resolution on a 1.6 ms rise) and the bass's first note (A1, 55 Hz) and the lead's long D5 (587.3 Hz) have the
    // same pitch (within 0.1 %), both within 5 cents of equal temperament.
    let time = |rate: f32| -> Vec<f32> {
        onsets(mono(stems_at(rate), "kick"), rate)
            .iter()
            .map(|&f| f as f32 / rate)
            .collect()
    };
    let (a, b) = (time(44_100.0), time(48_000.0));
    assert_eq!(a.len(), b.len());
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    println!(
        "kick onsets 44.1 vs 48 kHz: worst difference {:.3} ms",
        worst * 1000.0
    );
    assert!(worst < 5e-4, "{worst}");

    let bar_s = 4.0 * 60.0 / TEMPO_BPM;
    // (stem, start s, length s, expected Hz, band, vibrato). A note with vibrato is measured by
    // its power centroid within ±80 cents (its sidebands are symmetric about the pitch).
    let notes = [
        ("bass", 0.1, 2.0, 55.0, (40.0, 80.0), false),
        (
            "lead",
            11.0 * bar_s + 0.05,
            1.35,
            587.33,
            (560.0, 615.0),
            true,
        ),
    ];
    for (id, start, len, expected, (lo, hi), vibrato) in notes {
        let pitch = |rate: f32| {
            let x = mono(stems_at(rate), id);
            let from = (start * rate) as usize;
            let n = 1 << 17;
            let mut seg: Vec<f32> = x[from..from + (len * rate) as usize].to_vec();
            seg.resize(n, 0.0);
            let power = spectrum(&seg, n, 1);
            if vibrato {
                centroid_hz(&power, rate, lo, hi)
            } else {
                peak_hz(&power, rate, lo, hi)
            }
        };
        let (p44, p48) = (pitch(44_100.0), pitch(48_000.0));
        let cents = |f: f32| 1200.0 * (f / expected).log2();
        println!(
            "{id}: {p44:.2} Hz at 44.1 kHz, {p48:.2} Hz at 48 kHz ({:+.1} / {:+.1} cents)",
            cents(p44),
            cents(p48)
        );
        assert!((p44 / p48 - 1.0).abs() < 0.001, "{id}");
        assert!(cents(p44).abs() < 5.0 && cents(p48).abs() < 5.0, "{id}");
    }
}

#[test]
fn harmony_follows_the_chords() {
    // Reference: the progression Am–F–C–G. In every bar, the three strongest pitch classes of
    // the pad and keys (chroma of the bar's middle, 50 Hz–2 kHz) are the chord's triad.
    let rate = 48_000.0;
    let bar = (2.4 * rate) as usize;
    for id in ["pad", "keys", "guitar"] {
        let x = mono(stems_at(rate), id);
        for b in 0..score::BARS {
            let seg = &x[b * bar + bar / 4..b * bar + bar / 4 + 65_536];
            if seg.iter().all(|v| v.abs() < 1e-4) {
                continue; // the keys rest in the intro
            }
            let n = 65_536;
            let p = spectrum(seg, n, 1);
            let mut chroma = [0.0_f32; 12];
            for (k, power) in p.iter().enumerate().skip(1) {
                let hz = k as f32 * rate / n as f32;
                if (50.0..2_000.0).contains(&hz) {
                    let midi = (69.0 + 12.0 * (hz / 440.0).log2()).round() as i32;
                    chroma[midi.rem_euclid(12) as usize] += power;
                }
            }
            let mut order: Vec<usize> = (0..12).collect();
            order.sort_by(|&i, &j| chroma[j].total_cmp(&chroma[i]));
            let mut top: Vec<u8> = order[..3].iter().map(|&i| i as u8).collect();
            top.sort_unstable();
            let mut triad = score::chord(b).pitch_classes.to_vec();
            triad.sort_unstable();
            assert_eq!(top, triad, "{id}, bar {} ({})", b + 1, score::chord(b).name);
        }
    }
}

/// The worst click candidate: the 1 ms block whose largest third difference (a step or kink
/// in the waveform) most exceeds the largest one of the blocks 2–30 ms before and after it,
/// as (ratio, frame). A click is an isolated event; what an instrument makes repeats (a
/// filtered sawtooth kinks at every period reset, 25 ms apart at 40 Hz), so it has equals
/// nearby. Blocks whose third difference stays under 10⁻³ (a step at −60 dBFS) are ignored.
fn worst_click(x: &[f32], rate: f32) -> (f32, usize) {
    let n = x.len();
    let block = (rate / 1000.0) as usize;
    let d3 = |i: usize| {
        let at = |k: usize| x[(i + n - k) % n];
        (at(0) - 3.0 * at(1) + 3.0 * at(2) - at(3)).abs()
    };
    let maxima: Vec<f32> = (0..n / block)
        .map(|b| (b * block..(b + 1) * block).map(d3).fold(0.0, f32::max))
        .collect();
    let nb = maxima.len();
    let mut worst = (0.0_f32, 0);
    for (b, &m) in maxima.iter().enumerate() {
        if m < 1e-3 {
            continue;
        }
        let nearby = (2..=30)
            .flat_map(|k| [maxima[(b + k) % nb], maxima[(b + nb - k) % nb]])
            .fold(0.0_f32, f32::max);
        let ratio = m / nearby.max(1e-9);
        if ratio > worst.0 {
            worst = (ratio, b * block);
        }
    }
    worst
}

#[test]
fn sustained_parts_have_no_clicks_and_every_stem_loops_seamlessly() {
    // Reference: a click is an isolated step (see `worst_click`); the sustained instruments
    // may not have one standing out 3× from its surroundings. The detector itself is checked
    // on the pad with a −40 dBFS step added. (Plucks and drums start with a broadband
    // transient by nature and are checked at the loop seam only.) At the seam, the step from
    // the last frame to the first must be no larger than the largest step the stem makes in
    // the 20 ms around it.
    let rate = 48_000.0;
    let stems = stems_at(rate);
    for id in ["bass", "keys", "pad", "lead"] {
        let (ratio, at) = worst_click(mono(stems, id), rate);
        println!(
            "{id}: worst isolated step {ratio:.2}× its surroundings at {:.3} s",
            at as f32 / rate
        );
        assert!(
            ratio < 3.0,
            "{id}: click at {:.3} s ({ratio:.1}×)",
            at as f32 / rate
        );
    }
    let mut clicked = mono(stems, "pad").to_vec();
    let at = (6.0 * rate) as usize;
    clicked[at..]
        .iter_mut()
        .take(2_000)
        .for_each(|v| *v += 0.01);
    let (ratio, found) = worst_click(&clicked, rate);
    assert!(
        ratio > 3.0 && found.abs_diff(at) <= 48,
        "{ratio} at {found}"
    );

    let around = (0.01 * rate) as usize;
    for s in stems {
        let x = &s.channels[0];
        let n = x.len();
        let seam = (x[0] - x[n - 1]).abs();
        let step = |i: usize| (x[(i + 1) % n] - x[i]).abs();
        let nearby = (n - around..n - 1)
            .chain(0..around)
            .map(step)
            .fold(0.0_f32, f32::max);
        assert!(
            seam <= nearby.max(1e-6),
            "{}: seam step {seam} vs {nearby} nearby",
            s.id
        );
    }
}

#[test]
fn the_stems_start_deliberately_unbalanced() {
    // Reference: the intended faults, as levels while everything plays (bars 9–15, RMS): the
    // bass louder than the kick, the pad louder than the keys and the lead, the lead the
    // quietest of the melodic parts, the hi-hat as loud as the snare.
    let rate = 48_000.0;
    let stems = stems_at(rate);
    let bar = (2.4 * rate) as usize;
    let level = |id: &str| {
        let x = &mono(stems, id)[8 * bar..15 * bar];
        10.0 * (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).log10()
    };
    let l = |id| level(id);
    for id in [
        "kick", "snare", "hihat", "bass", "guitar", "keys", "pad", "lead",
    ] {
        println!("{id:>6}: {:6.1} dBFS RMS (bars 9–15)", l(id));
    }
    assert!(l("bass") > l("kick") + 2.0);
    assert!(l("pad") > l("keys"));
    assert!(l("pad") > l("lead") + 3.0);
    for other in ["guitar", "keys", "pad", "bass"] {
        assert!(l("lead") < l(other), "lead vs {other}");
    }
    assert!(
        l("hihat") > l("snare") - 1.5,
        "hi-hat {} vs snare {}",
        l("hihat"),
        l("snare")
    );
    // The plain sum of the unmixed stems clips (the mixer's job to fix).
    let n = mono(stems, "kick").len();
    let sum_peak = (0..n)
        .map(|i| stems.iter().map(|s| s.channels[0][i]).sum::<f32>().abs())
        .fold(0.0_f32, f32::max);
    println!("plain sum peak {:.1} dBFS", 20.0 * sum_peak.log10());
}

#[test]
fn the_sections_are_arranged() {
    // Reference: the arrangement (score module docs): no keys in the intro, the lead only in
    // bars 9–16, the toms only in the pickup into bar 9 and the fill, the snare silent in
    // bars 1–2.
    let rate = 48_000.0;
    let stems = stems_at(rate);
    let bar = (2.4 * rate) as usize;
    let rms = |id: &str, b: usize| {
        let x = &mono(stems, id)[b * bar..(b + 1) * bar];
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    };
    // Tails wrap around the loop, so the first bar hears the end of the last one: compare
    // against clearly audible levels.
    for b in 1..3 {
        assert!(rms("keys", b) < 1e-3, "keys in bar {}", b + 1);
        assert!(rms("lead", b) < 1e-3, "lead in bar {}", b + 1);
    }
    let half_s = (0.5 * rate) as usize;
    for id in ["keys", "lead"] {
        let x = &mono(stems, id)[half_s..bar];
        assert!(
            x.iter().all(|v| v.abs() < 1e-3),
            "{id} after the first half second"
        );
    }
    for b in 8..16 {
        assert!(rms("lead", b) > 0.01, "lead in bar {}", b + 1);
    }
    assert!(rms("snare", 1) < 1e-3);
    // (Bars 1 and 9 hear the toms of the bar before ringing out.)
    for b in [1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14] {
        assert!(rms("tom_hi", b) < 1e-3, "toms in bar {}", b + 1);
    }
    assert!(rms("tom_hi", 15) > 0.01 && rms("tom_lo", 15) > 0.01);
}

/// Writes every stem and their plain sum as WAV files under `target/demo-preview/`, for
/// listening and analysis: `cargo test -p mixroom-demo --release -- --ignored preview`.
#[test]
#[ignore]
fn preview() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/demo-preview");
    std::fs::create_dir_all(&dir).unwrap();
    let rate = 48_000;
    let start = std::time::Instant::now();
    let stems = render_stems(rate as f32);
    println!("render_stems(48 kHz): {:?} (one cold run)", start.elapsed());
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut sum = vec![0.0_f32; stems[0].channels[0].len()];
    for s in &stems {
        let mut w = hound::WavWriter::create(dir.join(format!("{}.wav", s.id)), spec).unwrap();
        for (i, &v) in s.channels[0].iter().enumerate() {
            w.write_sample(v).unwrap();
            sum[i] += v;
        }
        w.finalize().unwrap();
        println!(
            "{:>10}: peak {:6.1} dBFS, active RMS {:6.1} dBFS",
            s.id,
            peak_db(&s.channels[0]),
            active_rms_db(&s.channels[0], rate as f32)
        );
    }
    let mut w = hound::WavWriter::create(dir.join("sum.wav"), spec).unwrap();
    for v in &sum {
        w.write_sample(*v).unwrap();
    }
    w.finalize().unwrap();
    println!("       sum: peak {:6.1} dBFS", peak_db(&sum));
}
