//! `mixroom loudness` through the binary, on EBU Tech 3341 and 3342 test signals generated here
//! (1 kHz sines, stereo, 48 kHz, written as 32-bit float WAV files).

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const RATE_HZ: u32 = 48_000;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mixroom-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a 1 kHz sine, phase continuous, made of `(seconds, dBFS)` segments, on `channels`
/// channels.
fn write_sine(path: &Path, channels: u16, segments: &[(f64, f64)]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: RATE_HZ,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    let mut n = 0_u64;
    for &(seconds, dbfs) in segments {
        let amplitude = 10_f64.powf(dbfs / 20.0);
        for _ in 0..(seconds * f64::from(RATE_HZ)) as u64 {
            let x = (amplitude * (TAU * 1_000.0 * n as f64 / f64::from(RATE_HZ)).sin()) as f32;
            for _ in 0..channels {
                writer.write_sample(x).unwrap();
            }
            n += 1;
        }
    }
    writer.finalize().unwrap();
}

fn mixroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mixroom"))
        .args(args)
        .output()
        .unwrap()
}

/// The JSON objects printed, one per line.
fn reports(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn number(report: &Value, key: &str) -> f64 {
    report[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} in {report}"))
}

#[test]
fn ebu_tech_3341_and_3342_cases() {
    let dir = temp_dir("loudness");
    // Tech 3341 case 1: −23 dBFS for 20 s reads I = M = S = −23.0 ±0.1 LUFS.
    let case1 = dir.join("case1.wav");
    write_sine(&case1, 2, &[(20.0, -23.0)]);
    // Tech 3341 case 2: −33 dBFS for 20 s reads −33.0 ±0.1.
    let case2 = dir.join("case2.wav");
    write_sine(&case2, 2, &[(20.0, -33.0)]);
    // Tech 3342 case 1: 20 s at −20 dBFS then 20 s at −30 dBFS reads LRA = 10 ±1 LU.
    let lra = dir.join("lra.wav");
    write_sine(&lra, 2, &[(20.0, -20.0), (20.0, -30.0)]);
    // The same tone as case 1 on a mono file: one channel, 3.01 LU quieter (BS.1770).
    let mono = dir.join("mono.wav");
    write_sine(&mono, 1, &[(20.0, -23.0)]);
    let silent = dir.join("silent.wav");
    write_sine(&silent, 2, &[(2.0, f64::NEG_INFINITY)]);
    let paths = [&case1, &case2, &lra, &mono, &silent].map(|p| p.to_str().unwrap().to_owned());
    let mut args = vec!["loudness"];
    args.extend(paths.iter().map(String::as_str));
    let output = mixroom(&args);
    assert!(output.status.success(), "{output:?}");
    let reports = reports(&output);
    assert_eq!(reports.len(), 5);
    for (report, path) in reports.iter().zip(&paths) {
        assert_eq!(report["file"], path.as_str());
        assert_eq!(report["sample_rate_hz"], RATE_HZ);
    }
    let [case1, case2, lra, mono, silent] = &reports[..] else {
        unreachable!()
    };
    for key in [
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
    ] {
        assert!(
            (number(case1, key) + 23.0).abs() <= 0.1,
            "case 1 {key}: {case1}"
        );
        assert!(
            (number(case2, key) + 33.0).abs() <= 0.1,
            "case 2 {key}: {case2}"
        );
    }
    assert_eq!(number(case1, "duration_s"), 20.0);
    // A sine's true peak is its amplitude (within the Annex 2 tolerance +0.2/−0.4 dB).
    let tp = number(case1, "true_peak_dbtp");
    assert!((-23.4..=-22.8).contains(&tp), "true peak {tp}");
    assert!(
        (number(case1, "lra_lu")).abs() <= 0.1,
        "a steady tone has no range"
    );
    assert!((number(lra, "lra_lu") - 10.0).abs() <= 1.0, "{lra}");
    assert!(
        (number(mono, "integrated_lufs") + 26.01).abs() <= 0.1,
        "{mono}"
    );
    for key in [
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
        "true_peak_dbtp",
    ] {
        assert!(silent[key].is_null(), "silence: {silent}");
    }
    assert_eq!(silent["lra_lu"], 0.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failing_file_does_not_stop_the_others() {
    let dir = temp_dir("loudness-failing");
    let good = dir.join("good.wav");
    write_sine(&good, 2, &[(1.0, -20.0)]);
    let missing = dir.join("missing.wav");
    let output = mixroom(&[
        "loudness",
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        format!("mixroom: cannot find {}\n", missing.display())
    );
    let reports = reports(&output);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["file"], good.to_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}
