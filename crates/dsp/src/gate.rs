//! The gate / downward expander. (work in progress)
