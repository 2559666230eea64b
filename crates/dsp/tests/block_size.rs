//! Output does not depend on how the signal is cut into blocks, and reset is deterministic.

mod common;

use common::*;
use mixroom_dsp::StereoBlock;
use mixroom_protocol::params::ParamId;

#[test]
fn output_does_not_depend_on_block_size() {
    let frames = 30_000; // loops several times, wrapping inside blocks
    let reference = render_blocks(&mut busy_engine(4096), frames, 4096);
    assert!(max_difference(&reference, &[vec![0.0; frames], vec![0.0; frames]]) > 0.1);
    for block in [1, 3, 64, 127, 128] {
        // Engines prepared for small and for large blocks alike.
        for max_frames in [block, 4096] {
            let got = render_blocks(&mut busy_engine(max_frames), frames, block);
            let diff = max_difference(&got, &reference);
            assert!(
                diff <= 1e-6,
                "block {block}, max {max_frames}: differs by {diff}"
            );
        }
    }
}

#[test]
fn parameter_ramps_do_not_depend_on_block_size() {
    // A change applied at the same frame ramps identically whatever the block size.
    let render = |block: usize| {
        let mut engine = busy_engine(block);
        let mut first = render_blocks(&mut engine, 2_048, block);
        engine.set_param(ParamId::GainDb.slot(track(0)), -40.0);
        engine.set_param(ParamId::Pan.slot(track(1)), -1.0);
        engine.set_param(ParamId::Solo.slot(track(3)), 1.0);
        let second = render_blocks(&mut engine, 4_096, block);
        for (a, b) in first.iter_mut().zip(second) {
            a.extend(b);
        }
        first
    };
    let reference = render(2_048);
    for block in [1, 3, 64, 128] {
        let diff = max_difference(&render(block), &reference);
        assert!(diff <= 1e-6, "block {block}: differs by {diff}");
    }
}

#[test]
fn reset_and_seek_replay_the_same_samples() {
    let mut engine = busy_engine(128);
    let first = render_blocks(&mut engine, 9_000, 128);
    engine.reset();
    engine.transport_mut().seek(0);
    let second = render_blocks(&mut engine, 9_000, 128);
    assert_eq!(first, second);
}

#[test]
fn silence_in_gives_exact_zeros_out() {
    let mut engine = busy_engine(128);
    engine.transport_mut().pause();
    let (mut l, mut r) = (vec![1.0; 512], vec![1.0; 512]);
    engine.process(&mut StereoBlock::new(&mut l, &mut r));
    assert!(l.iter().chain(&r).all(|&x| x == 0.0));
}
