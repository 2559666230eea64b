//! Time to render the whole demo song (all fourteen stems) at 48 kHz: the page must start
//! playing within a second of loading, in WebAssembly, so this should stay well under 150 ms
//! natively.
//!
//! `cargo bench -p mixroom-demo`.

use criterion::{criterion_group, criterion_main, Criterion};
use mixroom_demo::render_stems;

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.bench_function("render_stems_48k", |b| {
        b.iter(|| render_stems(std::hint::black_box(48_000.0)))
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
