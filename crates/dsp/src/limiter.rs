//! The master true-peak limiter. (work in progress)
