//! Offline rendering of a whole session, for the CLI and for tests.

use mixroom_protocol::session::Session;

use crate::{Engine, Source, StereoBlock};

/// Sources of a session's tracks in track order; `None` leaves a track silent.
pub type SessionSources = Vec<Option<Source>>;

/// Renders `frames` frames of `session` from frame 0 with the transport playing, handing the
/// engine blocks of `block_frames` frames, exactly as the worklet does with render quanta.
/// Returns the left and right channels. May allocate: not for the audio thread.
pub fn render(
    session: &Session,
    sources: SessionSources,
    sample_rate_hz: f32,
    frames: usize,
    block_frames: usize,
) -> [Vec<f32>; 2] {
    let block_frames = block_frames.max(1);
    let mut engine = Engine::new(sample_rate_hz, block_frames);
    engine.apply_param_block(&session.param_block());
    for (track, source) in sources.into_iter().enumerate() {
        engine.load_source(track, source);
    }
    engine.reset();
    engine.transport_mut().play();
    let (mut left, mut right) = (vec![0.0; frames], vec![0.0; frames]);
    for (l, r) in left
        .chunks_mut(block_frames)
        .zip(right.chunks_mut(block_frames))
    {
        engine.process(&mut StereoBlock::new(l, r));
    }
    [left, right]
}
