//! Engine speed: one channel strip, and the benchmark mix at 64 tracks with and without buses,
//! returns and the master chain. Each iteration renders one 128-frame quantum, whose real-time
//! budget at 48 kHz is 2.667 ms.
//!
//! `cargo bench -p mixroom-dsp` (or `cargo xtask bench`, which also runs the browser benchmark).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mixroom_dsp::{white_noise, ChannelStrip, Engine, Processor, Source, StereoBlock};
use mixroom_protocol::session::benchmark;

const RATE_HZ: f32 = 48_000.0;
const QUANTUM: usize = 128;

fn one_strip(c: &mut Criterion) {
    let mut strip = ChannelStrip::new();
    strip.prepare(RATE_HZ, QUANTUM);
    for (band, gain_db) in [3.0, -4.0, 2.5, -2.0].into_iter().enumerate() {
        strip
            .eq_mut()
            .set_band(band, [100.0, 400.0, 2_500.0, 8_000.0][band], gain_db, 1.0);
    }
    strip.compressor_mut().set_bypassed(false);
    strip.compressor_mut().set_threshold_db(-24.0);
    strip.set_pan(0.3);
    strip.set_gain_db(-6.0);
    strip.set_mono_input(true);
    strip.reset();
    let input = white_noise(1, 0.5, QUANTUM);
    let (mut l, mut r) = (vec![0.0; QUANTUM], vec![0.0; QUANTUM]);
    let mut group = c.benchmark_group("strip");
    group.throughput(Throughput::Elements(QUANTUM as u64));
    group.bench_function("eq_compressor_pan_fader_128", |b| {
        b.iter(|| {
            l.copy_from_slice(&input);
            strip.process(&mut StereoBlock::new(&mut l, &mut r));
        })
    });
    group.finish();
}

fn session_engine(tracks: usize, routing: bool) -> Engine {
    let session = benchmark(tracks, routing);
    let mut engine = Engine::new(RATE_HZ, QUANTUM);
    engine.apply_param_block(&session.param_block());
    for t in 0..tracks {
        let source = Source::new(vec![white_noise(t as u32 + 1, 0.5, RATE_HZ as usize)]).unwrap();
        engine.load_source(t, Some(source));
    }
    engine.reset();
    let length = engine.transport().length_frames();
    engine.transport_mut().set_loop(true, 0, length);
    engine.transport_mut().play();
    engine
}

fn sessions(c: &mut Criterion) {
    let mut group = c.benchmark_group("session");
    group.throughput(Throughput::Elements(QUANTUM as u64));
    for (name, routing) in [
        ("64_tracks_plain", false),
        ("64_tracks_buses_returns_master", true),
    ] {
        let mut engine = session_engine(64, routing);
        let (mut l, mut r) = (vec![0.0; QUANTUM], vec![0.0; QUANTUM]);
        group.bench_function(name, |b| {
            b.iter(|| engine.process(&mut StereoBlock::new(&mut l, &mut r)))
        });
    }
    group.finish();
}

criterion_group!(benches, one_strip, sessions);
criterion_main!(benches);
