//! Judging each goal from the measurements: the number, the target, the verdict and a hint
//! that says which way to move, with which control, by how much.

use mixroom_protocol::lesson::{Curve, Goal, GoalKind, StripRef};

use crate::bands::{Band, BARK_EDGES_HZ, THIRD_OCTAVE_CENTRES_HZ};
use crate::curve;
use crate::ear;
use crate::format::{band, hz, number, range, with_unit};
use crate::inputs::{resolve, Inputs, Verdict, BOUND_SLACK};
use crate::measure::{Contribution, Reduction};
use crate::report::{GoalResult, Report};
use crate::spectrum::{Spectrum, FFT_FRAMES};

/// A critical band counts as loud for a signal when its energy in a window is within this of
/// the signal's loudest band in any window, dB.
pub const LOUD_RANGE_DB: f64 = 30.0;

/// A loud cell (window, critical band) of a masking goal's `a` (the maskee) is masked when the
/// energy of `b` (the masker) in it is at least `a`'s minus this, dB: the masker within 6 dB
/// of the maskee, or above it. There the maskee is partially masked: still audible, but it
/// loses loudness and definition to the masker, which is what iZotope's masking meter marks.
pub const MASKING_MARGIN_DB: f64 = 6.0;

/// The verdict on every goal of the lesson.
pub fn judge(inputs: &Inputs<'_>) -> Report {
    Report {
        goals: inputs
            .lesson
            .goals
            .iter()
            .map(|goal| judge_goal(inputs, goal))
            .collect(),
    }
}

/// How far `value` is outside `min..=max` (widened by [`BOUND_SLACK`]): negative below,
/// positive above, 0 inside.
fn outside(value: f64, min: Option<f64>, max: Option<f64>) -> f64 {
    match (min, max) {
        (Some(min), _) if value < min - BOUND_SLACK => value - min,
        (_, Some(max)) if value > max + BOUND_SLACK => value - max,
        _ => 0.0,
    }
}

/// The name of a strip in a hint: “Bass”, the master.
fn name(strip: &StripRef) -> String {
    match strip.name() {
        Some(name) => format!("“{name}”"),
        None => "the master".to_owned(),
    }
}

fn judge_goal(inputs: &Inputs<'_>, goal: &Goal) -> GoalResult {
    let verdict = never_nan(judge_kind(inputs, goal));
    GoalResult {
        id: goal.id.clone(),
        text: goal.text.clone(),
        measured: verdict.measured,
        target: verdict.target,
        unit: verdict.unit,
        passed: verdict.passed,
        hint: verdict.hint,
    }
}

/// `verdict`, failed and unmeasured when its measurement is not a number (NaN or infinite):
/// a figure no range holds never passes.
fn never_nan(verdict: Verdict) -> Verdict {
    if verdict.measured.is_none_or(f64::is_finite) {
        return verdict;
    }
    Verdict {
        measured: None,
        passed: false,
        hint: "this could not be measured (the figure is not a number), so it does not pass"
            .to_owned(),
        ..verdict
    }
}

/// A verdict on `measured` against `min..=max`, with `hint(by)` for a miss by `by` (in the
/// unit; negative: too low) and `silent` when nothing could be measured.
fn ranged(
    measured: Option<f64>,
    (min, max): (Option<f64>, Option<f64>),
    unit: &'static str,
    decimals: usize,
    silent: &str,
    hint: impl Fn(f64) -> String,
) -> Verdict {
    let target = range(min, max, unit, decimals);
    let Some(value) = measured else {
        return Verdict {
            measured,
            target,
            unit,
            passed: false,
            hint: silent.to_owned(),
        };
    };
    let by = outside(value, min, max);
    Verdict {
        measured,
        target,
        unit,
        passed: by == 0.0,
        hint: if by == 0.0 {
            format!("on target: {}", with_unit(value, unit, decimals))
        } else {
            hint(by)
        },
    }
}

fn judge_kind(inputs: &Inputs<'_>, goal: &Goal) -> Verdict {
    let master = inputs.master;
    let silent_mix = "the mix is silent: nothing to measure";
    // How far to move, never "0" for a goal missed by less than the rounding.
    let db = |x: f64| number(x.abs().max(0.1), 1);
    match &goal.kind {
        GoalKind::Loudness { min_lufs, max_lufs } => ranged(
            finite(master.integrated_lufs),
            (*min_lufs, *max_lufs),
            "LUFS",
            1,
            silent_mix,
            |by| {
                if by < 0.0 {
                    format!(
                        "the mix is {} LU too quiet: raise the master fader by {} dB (the limiter \
                         keeps the peaks down)",
                        db(by),
                        db(by)
                    )
                } else {
                    format!(
                        "the mix is {} LU too loud: pull the master fader down by {} dB",
                        db(by),
                        db(by)
                    )
                }
            },
        ),
        GoalKind::TruePeak { max_dbtp } => ranged(
            finite(master.true_peak_dbtp),
            (None, Some(*max_dbtp)),
            "dBTP",
            1,
            silent_mix,
            |by| {
                format!(
                    "the true peak is {} dB over {}: turn the master limiter on with its ceiling \
                     at {}, or pull the master fader down by {} dB",
                    db(by),
                    with_unit(*max_dbtp, "dBTP", 1),
                    with_unit(*max_dbtp, "dBTP", 1),
                    db(by)
                )
            },
        ),
        GoalKind::LoudnessRange { min_lu, max_lu } => ranged(
            finite(master.integrated_lufs).map(|_| master.loudness_range_lu),
            (*min_lu, *max_lu),
            "LU",
            1,
            silent_mix,
            |by| {
                if by > 0.0 {
                    format!(
                        "the loudness varies {} LU too much: compress the loudest parts (the \
                         master compressor, or the tracks that jump out)",
                        db(by)
                    )
                } else {
                    format!(
                        "the loudness varies {} LU too little: ease the compression (raise the \
                         thresholds, lower the ratios) so quiet parts stay quiet",
                        db(by)
                    )
                }
            },
        ),
        GoalKind::RelativeLevel {
            strip,
            min_db,
            max_db,
        } => {
            let c = contribution(inputs, strip);
            ranged(
                c.relative_db(),
                (*min_db, *max_db),
                "dB",
                1,
                &silent_strip(strip, c),
                |by| {
                    let (way, fader) = if by < 0.0 {
                        ("quiet", "raise its fader")
                    } else {
                        ("loud", "pull its fader down")
                    };
                    format!(
                        "{} is {} dB too {way} against the rest of the mix: {fader} by {} dB",
                        name(strip),
                        db(by),
                        db(by)
                    )
                },
            )
        }
        GoalKind::ReturnLevel {
            aux,
            min_db,
            max_db,
        } => {
            let c = contribution(inputs, aux);
            ranged(
                c.relative_db(),
                (*min_db, *max_db),
                "dB",
                1,
                &silent_strip(aux, c),
                |by| {
                    let (way, move_) = if by < 0.0 {
                        ("quiet", "raise its fader (or the sends to it)")
                    } else {
                        ("loud", "pull its fader (or the sends to it) down")
                    };
                    format!(
                        "{} is {} dB too {way} against the dry mix: {move_} by {} dB",
                        name(aux),
                        db(by),
                        db(by)
                    )
                },
            )
        }
        GoalKind::BandBalance {
            a,
            b,
            low_hz,
            high_hz,
            min_db,
            max_db,
        } => {
            let span = Band::new(*low_hz, *high_hz, FFT_FRAMES, inputs.sample_rate_hz);
            let level = |strip| {
                let power = span.sum(&contribution(inputs, strip).spectrum.mean_power());
                (power > 0.0).then(|| 10.0 * power.log10())
            };
            let (level_a, level_b) = (level(a), level(b));
            let measured = level_a.zip(level_b).map(|(a, b)| a - b);
            let quiet = if level_a.is_none() { a } else { b };
            let silent = format!("{} is silent in {}", name(quiet), band(*low_hz, *high_hz));
            let centre = hz((low_hz * high_hz).sqrt());
            ranged(measured, (*min_db, *max_db), "dB", 1, &silent, |by| {
                let (way, action) = if by > 0.0 {
                    (
                        "loud",
                        format!("pull {} down or cut it around {centre}", name(a)),
                    )
                } else {
                    (
                        "quiet",
                        format!("bring {} up or boost it around {centre}", name(a)),
                    )
                };
                format!(
                    "{} is {} dB too {way} against {} in {}: {action}",
                    name(a),
                    db(by),
                    name(b),
                    band(*low_hz, *high_hz)
                )
            })
        }
        GoalKind::Masking { a, b, max_percent } => {
            let (ca, cb) = (contribution(inputs, a), contribution(inputs, b));
            let masked = masking(ca.spectrum.bark_energies(), cb.spectrum.bark_energies());
            let silent = format!("{} is silent: there is nothing of it to mask", name(a));
            let worst = masked.as_ref().map_or(0, |m| m.worst_band);
            let (low, high) = (BARK_EDGES_HZ[worst], BARK_EDGES_HZ[worst + 1]);
            let measured = masked.map(|m| m.percent);
            ranged(
                measured,
                (None, Some(*max_percent)),
                "%",
                0,
                &silent,
                |by| {
                    let power = ca.spectrum.mean_power();
                    let loudest = loudest_hz(&power, low, high, inputs.sample_rate_hz);
                    format!(
                        "{} masks {} of the loud energy of {} ({}), most in {}: cut {} around \
                         {}, where {} is loudest, or boost {} a little there",
                        name(b),
                        with_unit(max_percent + by, "%", 0),
                        name(a),
                        range(None, Some(*max_percent), "%", 0),
                        band(low, high),
                        name(b),
                        hz(loudest),
                        name(a),
                        name(a)
                    )
                },
            )
        }
        GoalKind::Width {
            strip,
            min_percent,
            max_percent,
        } => {
            let c = contribution(inputs, strip);
            ranged(
                c.stereo.width_percent(),
                (*min_percent, *max_percent),
                "%",
                0,
                &silent_strip(strip, c),
                |by| {
                    if by < 0.0 {
                        format!(
                            "{} is {} points too narrow: pan it away from the centre or raise its \
                             width",
                            name(strip),
                            number(-by, 0)
                        )
                    } else {
                        format!(
                            "{} is {} points too wide: pan it nearer the centre or lower its width",
                            name(strip),
                            number(by, 0)
                        )
                    }
                },
            )
        }
        GoalKind::Correlation { min } => ranged(
            master.stereo.correlation(),
            (Some(*min), None),
            "",
            2,
            silent_mix,
            |by| {
                format!(
                    "the master's correlation is {} too low: a track may be out of phase (check \
                     its polarity) or too wide (lower its width)",
                    number(-by, 2)
                )
            },
        ),
        GoalKind::MonoBass {
            below_hz,
            min_correlation,
        } => {
            let measured = master
                .spectrum
                .as_ref()
                .and_then(|s| band_correlation(s, *below_hz, inputs.sample_rate_hz));
            let silent = format!("the mix is silent below {}", hz(*below_hz));
            ranged(
                measured,
                (Some(*min_correlation), None),
                "",
                2,
                &silent,
                |by| {
                    format!(
                        "the low end below {} is not mono enough (its correlation is {} too low): \
                     pan the bass and the kick to the centre and lower their width",
                        hz(*below_hz),
                        number(-by, 2)
                    )
                },
            )
        }
        GoalKind::TonalBalance {
            curve: which,
            tolerance_db,
        } => tonal(inputs, *which, *tolerance_db),
        GoalKind::GainReduction {
            strip,
            min_db,
            max_db,
        } => {
            let found = resolve(inputs.mix, strip);
            let measured = inputs
                .reductions
                .iter()
                .find(|r| Some(r.strip) == found)
                .and_then(Reduction::average_db);
            let silent = format!("{} never plays", name(strip));
            ranged(measured, (*min_db, *max_db), "dB", 1, &silent, |by| {
                if by < 0.0 {
                    format!(
                        "the compressor on {} reduces {} dB too little on average: switch it on, \
                         lower its threshold or raise its ratio",
                        name(strip),
                        db(by)
                    )
                } else {
                    format!(
                        "the compressor on {} reduces {} dB too much on average: raise its \
                         threshold or lower its ratio",
                        name(strip),
                        db(by)
                    )
                }
            })
        }
        GoalKind::Crest { min_db, max_db } => {
            let plr = finite(master.true_peak_dbtp - master.integrated_lufs);
            ranged(plr, (*min_db, *max_db), "dB", 1, silent_mix, |by| {
                if by < 0.0 {
                    format!(
                        "the mix is squashed: its peaks stand {} dB too little above its \
                         loudness; ease the limiter and the compressors (pull the master fader \
                         down into the limiter)",
                        db(by)
                    )
                } else {
                    format!(
                        "the peaks stand {} dB too far above the loudness: compress or limit a \
                         little more",
                        db(by)
                    )
                }
            })
        }
        GoalKind::EarChallenge {
            challenge,
            min_points,
        } => ear::judge(inputs, goal, challenge, *min_points),
        GoalKind::Unknown { kind, .. } => Verdict {
            measured: None,
            target: String::new(),
            unit: "",
            passed: false,
            hint: format!(
                "this goal (“{kind}”) is of a newer Mixroom: this version cannot measure it"
            ),
        },
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The measured contribution of `strip` (every strip a goal names was measured).
fn contribution<'a>(inputs: &Inputs<'a>, strip: &StripRef) -> &'a Contribution {
    let index = resolve(inputs.mix, strip).expect("checked when the check was made");
    inputs
        .contributions
        .iter()
        .find(|c| c.strip == index)
        .expect("every contribution a goal names is measured")
}

fn silent_strip(strip: &StripRef, c: &Contribution) -> String {
    if c.loudness.integrated_lufs().is_finite() {
        "the rest of the mix is silent".to_owned()
    } else if let StripRef::Return(_) = strip {
        format!(
            "{} adds nothing to the mix: no send feeds it, or it is muted; raise the sends to it \
             on the tracks (Send 1–4)",
            name(strip)
        )
    } else {
        format!(
            "{} adds nothing to the mix: it is silent, muted or routed nowhere",
            name(strip)
        )
    }
}

/// How much of one signal another masks, from their critical-band energies.
struct Masked {
    /// The maskee's energy in its loud cells (window, critical band) that are masked, over its
    /// energy in all its loud cells, percent.
    percent: f64,
    /// The band with the most masked energy.
    worst_band: usize,
}

/// How much of `a` (the maskee) `b` (the masker) masks, from their critical-band energies per
/// window ([`Spectrum::bark_energies`], linear mean-square units, the same windows).
///
/// A cell (window, critical band) is loud for `a` when its energy there is within
/// [`LOUD_RANGE_DB`] of `a`'s loudest cell, and masked when `b`'s energy in it is at least
/// `a`'s minus [`MASKING_MARGIN_DB`]. The result is the share of `a`'s energy in its loud cells
/// that lies in masked ones, so the loudest moments of `a` (a kick's hits) count the most and
/// its quiet tails little. Only the same band counts (no spreading into the neighbours): where
/// masking goals matter most, the low end, a critical band is 100 Hz wide, so a kick and a
/// bass that fight share one anyway. Left and right are summed: panning does not unmask.
/// `None` when `a` is silent; a silent `b` masks nothing (0 %).
fn masking(a: &[[f64; 24]], b: &[[f64; 24]]) -> Option<Masked> {
    let loudest = a.iter().flatten().fold(0.0_f64, |m, &e| m.max(e));
    if loudest <= 0.0 || !loudest.is_finite() {
        return None;
    }
    let floor = loudest * 10f64.powf(-LOUD_RANGE_DB / 10.0);
    let margin = 10f64.powf(-MASKING_MARGIN_DB / 10.0);
    let (mut loud, mut masked) = (0.0, 0.0);
    let mut per_band = [0.0; 24];
    for (w, wa) in a.iter().enumerate() {
        let wb = b.get(w).unwrap_or(&[0.0; 24]);
        for k in 0..24 {
            if wa[k] >= floor {
                loud += wa[k];
                if wb[k] >= wa[k] * margin {
                    masked += wa[k];
                    per_band[k] += wa[k];
                }
            }
        }
    }
    let worst_band = (0..24)
        .max_by(|&i, &j| per_band[i].total_cmp(&per_band[j]))
        .unwrap_or(0);
    Some(Masked {
        percent: 100.0 * masked / loud,
        worst_band,
    })
}

/// Lowest frequency a hint sends the student to, Hz: an EQ move below it is not heard.
const LOWEST_HINT_HZ: f64 = 20.0;

/// The centre frequency of the loudest bin of `power` (a one-sided spectrum of [`FFT_FRAMES`]
/// at `sample_rate_hz`) whose centre lies in `low_hz..high_hz` and not under
/// [`LOWEST_HINT_HZ`], Hz; the band's middle if none does.
fn loudest_hz(power: &[f64], low_hz: f64, high_hz: f64, sample_rate_hz: f64) -> f64 {
    let bin_hz = sample_rate_hz / FFT_FRAMES as f64;
    let low_hz = low_hz.max(LOWEST_HINT_HZ);
    power
        .iter()
        .enumerate()
        .map(|(k, &p)| (k as f64 * bin_hz, p))
        .filter(|&(f, _)| f >= low_hz && f < high_hz)
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .map_or((low_hz + high_hz) / 2.0, |(f, _)| f)
}

/// The correlation of the master below `below_hz`, from its cross spectrum.
fn band_correlation(spectrum: &Spectrum, below_hz: f64, sample_rate_hz: f64) -> Option<f64> {
    let low = Band::new(0.0, below_hz, FFT_FRAMES, sample_rate_hz);
    let (ll, rr, lr) = spectrum.stereo_sums();
    let power = low.sum(ll) * low.sum(rr);
    (power > 0.0).then(|| low.sum(lr) / power.sqrt())
}

fn tonal(inputs: &Inputs<'_>, which: Curve, tolerance_db: f64) -> Verdict {
    let target = format!("within ±{} dB of the curve", number(tolerance_db, 1));
    let unmeasured = |hint: String| Verdict {
        measured: None,
        target: target.clone(),
        unit: "dB",
        passed: false,
        hint,
    };
    let Some(spectrum) = inputs.master.spectrum.as_ref().filter(|s| s.windows() > 0) else {
        return unmeasured("the mix is too short or silent to measure its tonal balance".into());
    };
    if spectrum.mean_power().iter().all(|&p| p == 0.0) {
        return unmeasured("the mix is silent: nothing to measure".into());
    }
    let wanted = match which {
        Curve::Neutral => curve::neutral(),
        Curve::Reference => match inputs.reference.filter(|s| s.windows() > 0) {
            Some(reference) => curve::measure(&reference.mean_power(), inputs.sample_rate_hz),
            None => {
                return unmeasured(
                    "the lesson's reference could not be heard (no reference mix, or its \
                     recording was not loaded), so there is no curve to compare with"
                        .into(),
                )
            }
        },
    };
    let levels = curve::measure(&spectrum.mean_power(), inputs.sample_rate_hz);
    let (worst, deviation) = curve::worst_deviation(&levels, &wanted);
    let measured = deviation.abs();
    let passed = measured <= tolerance_db;
    let around = hz(THIRD_OCTAVE_CENTRES_HZ[worst]);
    let hint = if passed {
        format!("on target: within {} dB of the curve", number(measured, 1))
    } else if deviation > 0.0 {
        format!(
            "the mix is {} dB too strong around {around} against the curve: cut there with the \
             master EQ, or on the tracks strongest there",
            number(measured, 1)
        )
    } else {
        format!(
            "the mix is {} dB too weak around {around} against the curve: boost there with the \
             master EQ, or on the tracks that should carry it",
            number(measured, 1)
        )
    };
    Verdict {
        measured: Some(measured),
        target,
        unit: "dB",
        passed,
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `windows` windows of `bands` critical-band energies.
    fn cells(windows: usize, bands: impl Fn(usize) -> f64) -> Vec<[f64; 24]> {
        vec![std::array::from_fn(bands); windows]
    }

    fn percent(a: &[[f64; 24]], b: &[[f64; 24]]) -> f64 {
        masking(a, b).unwrap().percent
    }

    #[test]
    fn a_masker_masks_the_share_of_the_loud_energy_it_comes_within_the_margin_of() {
        // Reference: the definition. A maskee flat over every band; a masker 10 dB under it
        // everywhere masks nothing, one as loud masks it all, one loud in half the bands (as
        // loud there, 40 dB down in the others) masks half; 5.9 dB under is within the 6 dB
        // margin, 6.1 dB under is not.
        let a = cells(4, |_| 1.0);
        assert_eq!(percent(&a, &cells(4, |_| 0.1)), 0.0);
        assert_eq!(percent(&a, &a), 100.0);
        let half = cells(4, |k| if k % 2 == 0 { 1.0 } else { 1e-4 });
        assert_eq!(percent(&a, &half), 50.0);
        let db = |x: f64| 10f64.powf(x / 10.0);
        assert_eq!(percent(&a, &cells(4, |_| db(-5.9))), 100.0);
        assert_eq!(percent(&a, &cells(4, |_| db(-6.1))), 0.0);
        // A silent masker masks nothing; a silent maskee has nothing to mask.
        assert_eq!(percent(&a, &[]), 0.0);
        assert!(masking(&cells(4, |_| 0.0), &a).is_none());
    }

    /// The maskee of `masking_weighs_the_maskee_by_its_energy_in_its_loud_cells`: 9 units
    /// in band 0, 1 in band 5, 9e-4 (40 dB under its loudest: not loud) in band 10.
    fn maskee(band: usize) -> f64 {
        match band {
            0 => 9.0,
            5 => 1.0,
            10 => 9e-4,
            _ => 0.0,
        }
    }

    /// The maskee's energy in `band` only.
    fn only(band: usize) -> Vec<[f64; 24]> {
        cells(3, |k| if k == band { maskee(band) } else { 0.0 })
    }

    #[test]
    fn masking_weighs_the_maskee_by_its_energy_in_its_loud_cells() {
        // Reference: the definition. A masker as loud as the maskee in band 0 only masks 90 %
        // of it, in band 5 only 10 %, in band 10 only (not loud) nothing; the worst band is
        // the one with the most masked energy.
        let a = cells(3, maskee);
        let low = masking(&a, &only(0)).unwrap();
        assert!((low.percent - 90.0).abs() < 1e-9, "{}", low.percent);
        assert_eq!(low.worst_band, 0);
        let mid = masking(&a, &only(5)).unwrap();
        assert!((mid.percent - 10.0).abs() < 1e-9, "{}", mid.percent);
        assert_eq!(mid.worst_band, 5);
        assert_eq!(percent(&a, &only(10)), 0.0);
        // Masking goes one way: the whole maskee masks all of its band 0 alone.
        assert_eq!(percent(&only(0), &a), 100.0);
    }

    #[test]
    fn a_measurement_that_is_not_a_number_never_passes() {
        // Reference: IEEE 754, every comparison with NaN is false, so "outside the range"
        // measured by comparisons would read NaN as inside.
        for value in [f64::NAN, f64::INFINITY] {
            let verdict = never_nan(ranged(
                Some(value),
                (Some(-16.0), Some(-12.0)),
                "LUFS",
                1,
                "silent",
                |_| String::new(),
            ));
            assert!(!verdict.passed && verdict.measured.is_none(), "{value}");
        }
        let ok = never_nan(ranged(
            Some(-14.0),
            (Some(-16.0), None),
            "LUFS",
            1,
            "",
            |_| String::new(),
        ));
        assert!(ok.passed);
    }

    #[test]
    fn the_loudest_frequency_of_a_band() {
        // Reference: bin k of a 4096-point FFT at 48 kHz is centred on k·11.72 Hz; bin 1
        // (11.7 Hz) is below what a hint names, bin 20 (234 Hz) outside the band.
        let mut power = vec![0.0; FFT_FRAMES / 2 + 1];
        power[1] = 3.0;
        power[4] = 1.0;
        power[20] = 2.0;
        let f = loudest_hz(&power, 0.0, 100.0, 48_000.0);
        assert!((f - 46.875).abs() < 1e-9, "{f}");
        assert_eq!(loudest_hz(&[0.0; 3], 200.0, 300.0, 48_000.0), 250.0);
    }
}
