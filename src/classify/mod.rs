//! Classifiers of provisions and clauses by what they are about and what
//! they do: one question each, one matcher for all.
//!
//! - [`matcher`]: every term of a classifier compiled once (Aho–Corasick
//!   over [`match_form`](matcher::match_form) of the terms), matched on the
//!   folded text with a map back to the original characters, so evidence is
//!   quoted as written; roles (term, exclusion) and whole-word checks.
//! - [`topics`]: which subjects a provision is about (a taxonomy of topics;
//!   heading, parent heading and body density).
//! - [`instruments`]: which policy instruments (政策工具) a clause uses (a
//!   framework of instruments; the clause's function, cue terms, and for a
//!   framework with one, a learned model).
//!
//! A new classifier (value chain, target group) is a folder here with a
//! definition file read like the taxonomy, compiled with the same matcher.
//! Pure: nothing here touches files except the loaders of user files.

pub mod instruments;
pub(crate) mod matcher;
pub mod topics;
