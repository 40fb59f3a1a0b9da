//! Stairwell posters.
