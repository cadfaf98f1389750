//! Clause-level alignment: the unit researchers compare is the measure,
//! down to the sentence that states it.
//!
//! - [`model`]: how alike two clauses are (IDF-weighted words and character
//!   bigrams, verbatim shared spans; IDF from the documents compared and a
//!   fixed background, never from the rest of the corpus).
//! - [`link`]: which clauses of two documents state the same measure
//!   (verbatim / close), which are only related, and the provision pairs
//!   that follow.

pub mod link;
pub mod model;
pub mod semantic;

pub use link::{
    align_clauses, units, ClauseAlignment, Link, LinkKind, ProvisionPair, Settings, Unit,
    CLOSE_THRESHOLD, RATIO, RELATED_THRESHOLD, VERBATIM_COVERAGE,
};
pub use model::{
    comparable, comparable_measure, is_boilerplate, Background, ClauseModel, ClauseScore,
    ClauseVector,
};
