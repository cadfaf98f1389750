//! Search: the query language (`query`), snippets (`snippet`), and the
//! resolution of user-facing filters into index filters.

pub mod query;
pub mod reuse;
pub mod snippet;
