//! The channel compressor. (work in progress)
