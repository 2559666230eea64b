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
    let (mut left, mut right) = (Vec::with_capacity(frames), Vec::with_capacity(frames));
    let rendered = render_into(
        session,
        sources,
        sample_rate_hz,
        frames,
        block_frames,
        |l, r| {
            left.extend_from_slice(l);
            right.extend_from_slice(r);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    match rendered {
        Ok(()) => [left, right],
        Err(never) => match never {},
    }
}

/// Renders as [`render`] does, but hands each block to `sink` (left and right, `block_frames`
/// frames each, the last block possibly shorter) as soon as it is rendered instead of keeping
/// the whole mix: memory stays at one block however long the render. Stops at the first error
/// `sink` returns. May allocate: not for the audio thread.
pub fn render_into<E>(
    session: &Session,
    sources: SessionSources,
    sample_rate_hz: f32,
    frames: usize,
    block_frames: usize,
    mut sink: impl FnMut(&[f32], &[f32]) -> Result<(), E>,
) -> Result<(), E> {
    let block_frames = block_frames.max(1);
    let mut engine = Engine::new(sample_rate_hz, block_frames);
    engine.apply_param_block(&session.param_block());
    for (track, source) in sources.into_iter().enumerate() {
        engine.load_source(track, source);
    }
    engine.reset();
    engine.transport_mut().play();
    let (mut left, mut right) = (vec![0.0; block_frames], vec![0.0; block_frames]);
    let mut done = 0;
    while done < frames {
        let len = (frames - done).min(block_frames);
        let (l, r) = (&mut left[..len], &mut right[..len]);
        engine.process(&mut StereoBlock::new(l, r));
        sink(l, r)?;
        done += len;
    }
    Ok(())
}
