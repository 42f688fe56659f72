//! Rules across the declared grants: at least one, each standard grant once.

use proc_macro2::Span;

use syn::Expr;

use super::parse::{GrantDecl, STANDARD};
use crate::ctxt::Ctxt;

pub(crate) fn validate(ctxt: &Ctxt, grants: &[GrantDecl]) {
    if grants.is_empty() {
        ctxt.error_at(
            Span::call_site(),
            "declare at least one grant, e.g. grants![AuthorizationCode, RefreshToken]",
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for grant in grants {
        if let GrantDecl::Standard {
            standard, ident, ..
        } = grant
        {
            if seen.contains(&standard.name) {
                ctxt.error_spanned_by(ident, format!("{} is declared twice", standard.name));
            }
            seen.push(standard.name);
        }
        if let GrantDecl::Custom(expr) = grant {
            check_custom(ctxt, expr);
        }
    }
}

/// A custom grant is any expression, but `Passwrd(hooks = H)` (a name with options) or a
/// bare name one or two edits away from a standard grant is a misspelt standard grant: say so,
/// instead of the "cannot find value `hooks`" the expression would give.
fn check_custom(ctxt: &Ctxt, expr: &Expr) {
    let (name, with_options) = match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) if path.path.get_ident().is_some() => (
                path.path.get_ident(),
                call.args.iter().any(|arg| matches!(arg, Expr::Assign(_))),
            ),
            _ => return,
        },
        Expr::Path(path) => (path.path.get_ident(), false),
        _ => return,
    };
    let Some(name) = name else { return };
    let written = name.to_string();
    // A bare lowercase name is a variable, an all-caps one a constant: both are values.
    let type_like =
        written.starts_with(char::is_uppercase) && written.chars().any(char::is_lowercase);
    if !with_options && !type_like {
        return;
    }
    let nearest = STANDARD
        .iter()
        .map(|s| {
            (
                distance(&written.to_lowercase(), &s.name.to_lowercase()),
                s.name,
            )
        })
        .min();
    let close = nearest.filter(|(d, _)| *d <= 2);
    if !with_options && close.is_none() {
        return;
    }
    let known = STANDARD
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ");
    let hint = match close {
        Some((_, name)) => format!("; did you mean `{name}`?"),
        None => String::new(),
    };
    ctxt.error_spanned_by(
        name,
        format!("unknown grant `{written}`{hint}\nthe standard grants are {known}; any other entry is an expression whose value implements `Grant`"),
    );
}

/// Levenshtein distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn distance() {
        assert_eq!(super::distance("passwrd", "password"), 1);
        assert_eq!(super::distance("refreshtokens", "refreshtoken"), 1);
        assert_eq!(super::distance("", "abc"), 3);
        assert_eq!(super::distance("implicit", "implicit"), 0);
    }
}
