//! OpenID Connect against the provider binary with a relying party we did not write: the
//! `openidconnect` crate does discovery, the code flow with PKCE and a nonce, verifies the ID
//! token against the JWK Set (signature, `iss`, `aud`, `exp`, `nonce`, `at_hash`), and calls
//! UserInfo.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

use crate::harness::*;

#[tokio::test]
async fn openidconnect_signs_in_with_discovery_pkce_nonce_and_userinfo() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let http = openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let issuer = IssuerUrl::new(provider.base.clone()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(demo["client_id"].as_str().unwrap().to_owned()),
        Some(ClientSecret::new(
            demo["client_secret"].as_str().unwrap().to_owned(),
        )),
    )
    .set_redirect_uri(RedirectUrl::new(DEMO_REDIRECT.to_owned()).unwrap());
    let (challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .add_scope(Scope::new("email".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let params = authorize(&provider, url.as_str(), "allow").await;
    assert_eq!(
        param(&params, "state").as_deref(),
        Some(state.secret().as_str())
    );
    let code = param(&params, "code").expect("a code");
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(pkce_verifier)
        .request_async(&http)
        .await
        .expect("token response");
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("a valid ID token");
    let expected = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected));
    assert!(claims.auth_time().is_some(), "the session's sign-in time");
    // A different nonce (a replayed token) is refused.
    assert!(id_token.claims(&verifier, &Nonce::new_random()).is_err());
    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(userinfo.subject(), claims.subject());
    assert_eq!(
        userinfo.preferred_username().map(|u| u.as_str()),
        Some("demo")
    );
    // The demo user's claims, released by `profile` and `email` (Core §5.4).
    assert_eq!(
        userinfo.email().map(|e| e.as_str()),
        Some("demo@example.com")
    );
    let name = userinfo
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str());
    assert_eq!(name, Some("Demo User"));
}
