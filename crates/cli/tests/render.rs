//! `mixroom demo` and `mixroom render` through the binary: the demo written as WAV files and
//! rendered from them equals the demo rendered from its built-in stems, bit for bit; so does the
//! same project packed as a `.mixroom` bundle.

use std::path::PathBuf;
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mixroom-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mixroom(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_mixroom"))
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "mixroom {args:?}: {output:?}");
}

fn samples(path: &PathBuf) -> (hound::WavSpec, Vec<f32>) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let samples = reader.samples::<f32>().map(Result::unwrap).collect();
    (reader.spec(), samples)
}

#[test]
fn demo_files_render_exactly_like_the_built_in_stems() {
    let dir = temp_dir("parity");
    let stems = dir.join("stems");
    let s = |p: &PathBuf| p.to_str().unwrap().to_owned();
    mixroom(&["demo", "-o", &s(&stems)]);
    for (id, _) in mixroom_demo::STEMS {
        let (spec, _) = samples(&stems.join(format!("{id}.wav")));
        assert_eq!((spec.channels, spec.sample_rate), (1, 48_000), "{id}");
    }
    let built_in = dir.join("built-in.json");
    std::fs::write(&built_in, mixroom_demo::session().to_json()).unwrap();
    // Four seconds, from bar 1: the kit, bass, guitar and pad play.
    let frames = "192000";
    let (from_files, from_stems) = (dir.join("files.wav"), dir.join("stems.wav"));
    let session = stems.join("session.json");
    mixroom(&[
        "render",
        &s(&session),
        "-o",
        &s(&from_files),
        "--frames",
        frames,
    ]);
    mixroom(&[
        "render",
        &s(&built_in),
        "-o",
        &s(&from_stems),
        "--frames",
        frames,
    ]);
    let (spec, mix) = samples(&from_files);
    assert_eq!((spec.channels, spec.bits_per_sample), (2, 32));
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    assert_eq!(mix.len(), 2 * 192_000);
    let peak = mix.iter().fold(0.0_f32, |p, x| p.max(x.abs()));
    assert!(peak > 0.1, "the mix plays (peak {peak})");
    let (_, reference) = samples(&from_stems);
    assert!(mix == reference, "bit for bit");

    // The same project as a bundle: the session and the stems' WAV files in one zip.
    let text = std::fs::read_to_string(&session).unwrap();
    let demo = mixroom_protocol::session::Session::from_json(&text).unwrap();
    let files: Vec<(String, Vec<u8>)> = demo
        .tracks
        .iter()
        .filter_map(|t| match &t.source {
            mixroom_protocol::session::Source::File(f) => {
                Some((f.path.clone(), std::fs::read(stems.join(&f.path)).unwrap()))
            }
            _ => None,
        })
        .collect();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let bundle = dir.join("demo.mixroom");
    let written = mixroom_protocol::bundle::write(&demo, &borrowed).unwrap();
    std::fs::write(&bundle, written.bytes).unwrap();
    let from_bundle = dir.join("bundle.wav");
    mixroom(&[
        "render",
        &s(&bundle),
        "-o",
        &s(&from_bundle),
        "--frames",
        frames,
    ]);
    let (_, bundled) = samples(&from_bundle);
    assert!(bundled == reference, "the bundle renders bit for bit too");
    std::fs::remove_dir_all(&dir).unwrap();
}
