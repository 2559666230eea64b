//! Golden renders: what the engine plays now, pinned, so that a change meant to leave the sound
//! alone (a refactor of the processors, their bindings or the strip loop) is proven to. Each
//! render is summarized by the SHA-256 of its samples' bits; one changed sample changes it.
//!
//! Rendered: the demo's six lessons' reference mixes on the demo stems (EQ and filters,
//! compressors, the drum bus, sends to the reverb and the delay, the master's limiter), and the
//! benchmark mix with its routing on noise, 4 s each at 48 kHz in 128-frame blocks. When a
//! change of sound is meant, the failure prints every new hash to paste here, with the reason
//! in the commit.

use mixroom_dsp::{render, white_noise, SessionSources, Source};
use mixroom_protocol::hash::sha256_hex;
use mixroom_protocol::lesson::Reference;
use mixroom_protocol::session::{self, Session};

const FS: f32 = 48_000.0;
const FRAMES: usize = 4 * 48_000;
const BLOCK_FRAMES: usize = 128;

/// The renders and their hashes, as recorded.
const GOLDEN: [(&str, &str); 7] = [
    (
        "static-balance",
        "2064197705e47ee4b4bb5bfb7b33c344ebf34bc9e9a70624e28292d27d26ed61",
    ),
    (
        "stereo-field",
        "3784c1227d8123ce8b6dd9337fd5b5d0d20746fcc845d03fda9576dfa8c14e44",
    ),
    (
        "eq-unmask",
        "16dfd8bf02c539b257788072c055dd1d6631b17fb42d44f43a0ae189f4a107c4",
    ),
    (
        "compression",
        "661c2ac6ab5dc2e957d943ef878643357b4dd2baa9e78359a97f5152257dca27",
    ),
    (
        "space",
        "3d8c3d1c6947af42931614dd11fa33f8d4c5ddf51dc8ee5db0ca96d2870a2fc2",
    ),
    (
        "mastering",
        "22d42540c9cbded436ebe8b8a904eb9a98ad5a098227fd3233a8d88347955afd",
    ),
    (
        "benchmark-16-routed",
        "c398f0a6a10ca6ea96e3fb809f37b04f740bf2070007f46875bd6317a6de7cc2",
    ),
];

fn hash(out: &[Vec<f32>; 2]) -> String {
    let bytes: Vec<u8> = out
        .iter()
        .flat_map(|channel| channel.iter().flat_map(|x| x.to_bits().to_le_bytes()))
        .collect();
    sha256_hex(&bytes)
}

fn demo_sources(mix: &Session, stems: &[mixroom_demo::Stem]) -> SessionSources {
    mix.tracks
        .iter()
        .map(|track| match &track.source {
            session::Source::Demo(id) => {
                let stem = stems.iter().find(|s| s.id == id).expect("a demo stem");
                let head = stem.channels.iter().map(|c| c[..FRAMES].to_vec()).collect();
                Some(Source::for_rate(head, FS).expect("a mono stem"))
            }
            other => panic!("a built-in lesson plays demo stems only, not {other:?}"),
        })
        .collect()
}

#[test]
fn the_engine_renders_what_it_rendered() {
    let stems = mixroom_demo::render_stems(FS);
    let mut renders: Vec<(String, String)> = mixroom_demo::lessons::lessons()
        .iter()
        .map(|lesson| {
            let Some(Reference::Mix(mix)) = &lesson.reference else {
                panic!("{}: a built-in lesson has a reference mix", lesson.id);
            };
            let out = render(mix, demo_sources(mix, &stems), FS, FRAMES, BLOCK_FRAMES);
            (lesson.id.clone(), hash(&out))
        })
        .collect();
    let bench = session::benchmark(16, true);
    let noise: SessionSources = (0..bench.tracks.len())
        .map(|t| Source::new(vec![white_noise(t as u32 + 1, 0.25, FRAMES)]).ok())
        .collect();
    let out = render(&bench, noise, FS, FRAMES, BLOCK_FRAMES);
    renders.push(("benchmark-16-routed".to_owned(), hash(&out)));

    let now: Vec<String> = renders
        .iter()
        .map(|(id, hash)| format!("    (\"{id}\", \"{hash}\"),"))
        .collect();
    let recorded: Vec<(String, String)> = GOLDEN
        .iter()
        .map(|&(id, hash)| (id.to_owned(), hash.to_owned()))
        .collect();
    assert_eq!(
        renders,
        recorded,
        "the sound changed; if that is meant, record:\n{}",
        now.join("\n")
    );
}
