//! `mixroom bench`: renders the benchmark mix natively and reports how long it took, for
//! `cargo xtask bench` to set beside the browser's time for the same mix.

use std::time::Instant;

use mixroom_dsp::{white_noise, Engine, Source, StereoBlock};
use mixroom_protocol::session::benchmark;

/// Render quantum of the browser, frames.
const QUANTUM: usize = 128;

/// Renders `seconds` of the `tracks`-track benchmark mix (without routing) at `sample_rate_hz`
/// in 128-frame quanta and returns the time spent in `Engine::process`, ms.
pub fn render_ms(tracks: usize, seconds: f32, sample_rate_hz: u32) -> f64 {
    let frames = (seconds * sample_rate_hz as f32) as usize;
    let session = benchmark(tracks, false);
    let mut engine = Engine::new(sample_rate_hz as f32, QUANTUM);
    engine.apply_param_block(&session.param_block());
    for t in 0..session.tracks.len() {
        let source = Source::new(vec![white_noise(t as u32 + 1, 0.5, frames)]).expect("mono noise");
        engine.load_source(t, Some(source));
    }
    engine.reset();
    engine.transport_mut().play();
    let (mut l, mut r) = (vec![0.0; QUANTUM], vec![0.0; QUANTUM]);
    let started = Instant::now();
    for _ in 0..frames / QUANTUM {
        engine.process(&mut StereoBlock::new(&mut l, &mut r));
    }
    started.elapsed().as_secs_f64() * 1000.0
}
