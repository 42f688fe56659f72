//! Parses `AuthorizationCode(require_pkce = true), RefreshToken, MyGrant::new(), ...`.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitBool, Token};

use crate::ctxt::Ctxt;
use crate::symbol::{ALLOW_PLAIN_PKCE, HOOKS, REQUIRE_PKCE};

/// A standard grant and the options it takes.
pub(crate) struct Standard {
    pub(crate) name: &'static str,
    /// The runtime type it builds (a path from `paths`).
    pub(crate) runtime_type: fn() -> TokenStream,
    pub(crate) options: &'static [&'static str],
}

pub(crate) const STANDARD: &[Standard] = &[
    Standard {
        name: "AuthorizationCode",
        runtime_type: crate::paths::authorization_code_grant,
        options: &[REQUIRE_PKCE, ALLOW_PLAIN_PKCE, HOOKS],
    },
    Standard {
        name: "Implicit",
        runtime_type: crate::paths::implicit_grant,
        options: &[],
    },
    Standard {
        name: "Password",
        runtime_type: crate::paths::password_grant,
        options: &[HOOKS],
    },
    Standard {
        name: "ClientCredentials",
        runtime_type: crate::paths::client_credentials_grant,
        options: &[],
    },
    Standard {
        name: "RefreshToken",
        runtime_type: crate::paths::refresh_token_grant,
        options: &[HOOKS],
    },
    Standard {
        name: "OpenIdImplicit",
        runtime_type: crate::paths::openid_implicit_grant,
        options: &[],
    },
    Standard {
        name: "OpenIdHybrid",
        runtime_type: crate::paths::openid_hybrid_grant,
        options: &[HOOKS],
    },
];

/// One option: `key = value`.
pub(crate) struct GrantOption {
    pub(crate) key: Ident,
    pub(crate) value: OptionValue,
}

pub(crate) enum OptionValue {
    Bool(LitBool),
    Expr(Expr),
}

/// One declared grant.
pub(crate) enum GrantDecl {
    Standard {
        standard: &'static Standard,
        ident: Ident,
        options: Vec<GrantOption>,
    },
    /// A user-defined (extension) grant: any expression whose value implements `Grant`.
    Custom(Expr),
}

fn parse_options(
    ctxt: &Ctxt,
    standard: &'static Standard,
    input: ParseStream<'_>,
) -> syn::Result<Vec<GrantOption>> {
    let content;
    syn::parenthesized!(content in input);
    let mut options: Vec<GrantOption> = Vec::new();
    let pairs = Punctuated::<(Ident, Expr), Token![,]>::parse_terminated_with(&content, |input| {
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        Ok((key, input.parse()?))
    })?;
    for (key, value) in pairs {
        let name = key.to_string();
        if !standard.options.contains(&name.as_str()) {
            let expected = if standard.options.is_empty() {
                "it takes no options".to_owned()
            } else {
                format!("expected {}", standard.options.join(", "))
            };
            ctxt.error_spanned_by(
                &key,
                format!("unknown option for {}: {expected}", standard.name),
            );
            continue;
        }
        if options.iter().any(|o| o.key == key) {
            ctxt.error_spanned_by(&key, format!("duplicate option `{name}`"));
            continue;
        }
        let value = if name == HOOKS {
            OptionValue::Expr(value)
        } else {
            match value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Bool(b),
                    ..
                }) => OptionValue::Bool(b),
                other => {
                    ctxt.error_spanned_by(&other, format!("`{name}` takes `true` or `false`"));
                    continue;
                }
            }
        };
        options.push(GrantOption { key, value });
    }
    Ok(options)
}

/// The declared grants; `None` (with the error in `ctxt`) when the list does not parse.
pub(crate) fn parse(ctxt: &Ctxt, tokens: TokenStream) -> Option<Vec<GrantDecl>> {
    let parser = |input: ParseStream<'_>| -> syn::Result<Vec<GrantDecl>> {
        let mut grants = Vec::new();
        while !input.is_empty() {
            let fork = input.fork();
            let standard = fork
                .parse::<Ident>()
                .ok()
                .and_then(|ident| {
                    STANDARD
                        .iter()
                        .find(|s| ident == s.name)
                        .map(|s| (s, ident))
                })
                .filter(|_| {
                    fork.is_empty() || fork.peek(Token![,]) || fork.peek(syn::token::Paren)
                });
            match standard {
                Some((standard, _)) => {
                    let ident: Ident = input.parse()?;
                    let options = if input.peek(syn::token::Paren) {
                        parse_options(ctxt, standard, input)?
                    } else {
                        Vec::new()
                    };
                    grants.push(GrantDecl::Standard {
                        standard,
                        ident,
                        options,
                    });
                }
                None => grants.push(GrantDecl::Custom(input.parse()?)),
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(grants)
    };
    match parser.parse2(tokens) {
        Ok(grants) => Some(grants),
        Err(error) => {
            ctxt.syn_error(error);
            None
        }
    }
}
