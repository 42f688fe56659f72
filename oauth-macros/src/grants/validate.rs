//! Rules across the declared grants: at least one, each standard grant once.

use proc_macro2::Span;

use super::parse::GrantDecl;
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
    }
}
