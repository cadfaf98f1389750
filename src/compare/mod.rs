//! Alignment of provisions, word diffs and figures (being written).
