//! What a search shows: snippets, the match ranges of a query mapped back
//! onto display text. The query language itself is the leaf module
//! [`crate::query`]; matching is `index`'s; requests are `app::search`'s.

pub mod snippet;
