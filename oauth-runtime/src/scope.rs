//! Access token scope (RFC 6749 §3.3).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::OAuthError;

/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3).
pub(crate) const fn is_scope_token_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

/// Whether `s` is a valid, non-empty scope string: scope tokens separated by single spaces
/// (RFC 6749 §3.3). Usable in constant context, so macros can check literals at compile time.
pub(crate) const fn is_valid_scope(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let mut i = 0;
    let mut previous_space = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b' ' {
            if previous_space {
                return false;
            }
            previous_space = true;
        } else if is_scope_token_char(b) {
            previous_space = false;
        } else {
            return false;
        }
        i += 1;
    }
    !previous_space
}

/// A set of scope tokens. Order carries no meaning (RFC 6749 §3.3), so a scope is kept sorted
/// and without duplicates; it prints as the space-separated list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scope(BTreeSet<String>);

impl Scope {
    /// The empty scope.
    pub fn empty() -> Self {
        Scope(BTreeSet::new())
    }

    /// Parses a scope (RFC 6749 §3.3): space-separated tokens, or the empty string for the
    /// empty scope; anything else is `invalid_scope`. The same as `s.parse::<Scope>()`.
    pub fn parse(s: &str) -> Result<Scope, OAuthError> {
        s.parse()
    }

    /// Whether no token is in the scope.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of scope tokens.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the token `s` is in the scope.
    pub fn contains(&self, s: &str) -> bool {
        self.0.contains(s)
    }

    /// Whether every token of `other` is in this scope.
    pub fn contains_all(&self, other: &Scope) -> bool {
        other.0.is_subset(&self.0)
    }

    /// Whether every space-separated token of `required` is in this scope (no allocation).
    pub fn satisfies(&self, required: &str) -> bool {
        required
            .split(' ')
            .filter(|t| !t.is_empty())
            .all(|t| self.0.contains(t))
    }

    /// The tokens, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The tokens in both scopes.
    pub fn intersection(&self, other: &Scope) -> Scope {
        Scope(self.0.intersection(&other.0).cloned().collect())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for token in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(token)?;
            first = false;
        }
        Ok(())
    }
}

impl FromStr for Scope {
    type Err = OAuthError;

    /// Parses a scope; the empty string is the empty scope, anything malformed
    /// `invalid_scope`. The one scope parser.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(Scope::empty());
        }
        if !is_valid_scope(s) {
            return Err(OAuthError::invalid_scope(
                "scope is malformed (RFC 6749 §3.3)",
            ));
        }
        Ok(Scope(s.split(' ').map(str::to_owned).collect()))
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_accepts_single_spaces_between_tokens() {
        assert!(is_valid_scope("profile"));
        assert!(is_valid_scope("profile email read:all"));
        assert!(is_valid_scope("!#[]~"));
    }

    #[test]
    fn grammar_refuses_bad_separators_and_chars() {
        for bad in [
            "", " ", "a  b", " a", "a ", "a\"b", "a\\b", "a\tb", "é", "a\u{7f}",
        ] {
            assert!(!is_valid_scope(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn parse_sorts_and_dedups() {
        let s = Scope::parse("b a b").unwrap();
        assert_eq!(s.to_string(), "a b");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn parse_and_from_str_agree() {
        for input in ["", "a", "b a", "a  b", " a", "a\"b"] {
            assert_eq!(
                Scope::parse(input).map_err(|e| e.code()),
                input.parse::<Scope>().map_err(|e| e.code()),
                "{input:?}"
            );
        }
        assert!(Scope::parse("").unwrap().is_empty());
    }

    #[test]
    fn parse_error_is_invalid_scope() {
        let e = Scope::parse("a  b").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidScope);
    }

    #[test]
    fn subset_and_satisfies() {
        let have = Scope::parse("a b c").unwrap();
        assert!(have.contains_all(&Scope::parse("a c").unwrap()));
        assert!(!have.contains_all(&Scope::parse("a d").unwrap()));
        assert!(have.satisfies("b a"));
        assert!(!have.satisfies("b z"));
        assert_eq!(
            have.intersection(&Scope::parse("c d").unwrap()).to_string(),
            "c"
        );
    }
}
