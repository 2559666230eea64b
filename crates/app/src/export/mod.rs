//! Export.

pub mod normalize;
pub mod wav;
