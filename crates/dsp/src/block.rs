//! A block of stereo audio borrowed from the caller.

/// Two equally long channels, processed in place.
#[derive(Debug)]
pub struct StereoBlock<'a> {
    /// Left channel samples.
    pub left: &'a mut [f32],
    /// Right channel samples.
    pub right: &'a mut [f32],
}

impl<'a> StereoBlock<'a> {
    /// Wraps two channels; they must have the same length.
    pub fn new(left: &'a mut [f32], right: &'a mut [f32]) -> StereoBlock<'a> {
        assert_eq!(left.len(), right.len(), "stereo channels differ in length");
        StereoBlock { left, right }
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.left.len()
    }

    /// Sets every sample to zero.
    pub fn clear(&mut self) {
        self.left.fill(0.0);
        self.right.fill(0.0);
    }
}
