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

/// A built-in list of definitions (topics, instruments, families) as a
/// user file that `extends` it makes it: the ids in `remove` taken out,
/// then each of `own` replacing the definition with its id, or added at
/// the end. `Err` is an id of `remove` that `base` does not have.
pub(crate) fn extend<T>(
    mut base: Vec<T>,
    remove: &[String],
    own: Vec<T>,
    id: impl Fn(&T) -> &str,
) -> Result<Vec<T>, String> {
    for r in remove {
        let before = base.len();
        base.retain(|d| id(d) != r);
        if base.len() == before {
            return Err(r.clone());
        }
    }
    for d in own {
        match base.iter_mut().find(|b| id(b) == id(&d)) {
            Some(b) => *b = d,
            None => base.push(d),
        }
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    #[test]
    fn extend_removes_then_replaces_or_appends() {
        let base = vec![("a", 1), ("b", 2), ("c", 3)];
        let got = super::extend(
            base.clone(),
            &["b".into()],
            vec![("c", 30), ("d", 4)],
            |d| d.0,
        );
        assert_eq!(got, Ok(vec![("a", 1), ("c", 30), ("d", 4)]));
        assert_eq!(
            super::extend(base, &["x".into()], vec![], |d| d.0),
            Err("x".to_string())
        );
    }
}
