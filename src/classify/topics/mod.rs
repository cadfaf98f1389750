//! Topics: which subjects (talent, land, fiscal autonomy, ...) a provision
//! is about.
//!
//! - `taxonomy.rs`: the taxonomy (`data/topics.toml` compiled in, or a user
//!   file that replaces or extends it), validation, name resolution.
//! - the terms are compiled and matched by [`crate::classify::matcher`],
//!   which policy instruments share.
//! - `classify.rs`: scoring a provision (heading > parent heading > body
//!   density; exclusions; enumeration damping) against [`THRESHOLD`].
//! - `coverage.rs`: the topic × jurisdiction (and × document) matrix.
//!
//! Pure: nothing here touches files except [`Taxonomy::load`] and
//! [`Taxonomy::resolve_file`].

mod classify;
mod coverage;
mod taxonomy;

pub use classify::{
    classify, explain, topic_ids, topic_ids_folded, Explained, TopicScore, BODY_MIN_CHARS,
    HEADING_WEIGHT, LIST_FACTOR, PARENT_WEIGHT, SCORING_VERSION, THRESHOLD, ZONE_CAP,
};
pub use coverage::{coverage, Counts, Coverage, TopicCoverage};
pub use taxonomy::{Source, Taxonomy, Term, Topic, BUILTIN_TOML, CORPUS_FILE};
