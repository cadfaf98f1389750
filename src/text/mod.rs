//! Text: the matching normalization and segmentation.
//! jieba is called from `segment` only.

pub mod bigrams;
pub mod clauses;
pub mod normalize;
pub mod segment;
pub mod units;

pub use normalize::{fold, fold_with_map, is_cjk, is_han};
