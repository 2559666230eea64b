//! The delay of the aux returns. (work in progress)
