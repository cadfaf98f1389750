//! Comparison of provisions: similarity, alignment, word diffs and figures,
//! and the document diff built from them (`policy-diff diff`; side-by-side
//! `compare` reports reuse the same pieces).
//!
//! - [`similarity`]: `SimilarityModel` (IDF over a set of provisions) and
//!   `similarity(a, b)` in [0, 1].
//! - [`align`]: one-to-one alignment by best score plus splits and merges.
//! - [`worddiff`]: word-level diff spans on the display text.
//! - [`figures`]: numbers with units, ranges, deadlines, target years.
//! - [`diff`]: `DocumentDiff`, the result of diffing two documents.
//! - [`render`]: text (side by side), Markdown and HTML renderings.
//! - [`side_by_side`]: one topic across jurisdictions or documents
//!   (`policy-diff compare`): rows of parallel provisions and their renderers.

pub mod align;
pub mod clauses;
pub mod diff;
pub mod figures;
pub mod render;
pub mod reuse;
pub mod side_by_side;
pub mod similarity;
pub mod worddiff;

pub use align::{align, Alignment, Pair, CLOSE_THRESHOLD, PAIR_THRESHOLD, SPLIT_THRESHOLD};
pub use diff::{diff_documents, DocumentDiff};
pub use similarity::SimilarityModel;
