//! policy-diff: search and compare Chinese policy documents provision by provision.
//!
//! The library never sees the command line: `cli/` parses flags into plain
//! values and calls into these modules.

pub mod app;
pub mod atomic;
pub mod classify;
pub mod compare;
pub mod corpus;
pub mod error;
pub mod index;
pub mod ingest;
pub mod observe;
pub mod query;
pub mod text;

/// The classifiers' public paths (`policy_diff::topics`, `policy_diff::instruments`).
pub use classify::{instruments, topics};
pub use error::{Error, Result};
pub mod report;
pub mod search;
pub mod serve;
