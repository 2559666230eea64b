//! The algorithmic reverb of the aux returns. (work in progress)
