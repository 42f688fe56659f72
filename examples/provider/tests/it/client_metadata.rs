//! A client known only by its Client ID Metadata Document, through the real binary: the
//! `oauth2` crate as the client with a URL as its id, the document served by a stub on this
//! machine (which the provider fetches only when told it may use private addresses).

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse, TokenUrl,
};
use oauth_tests::stub::{Reply, StubServer};
use serde_json::json;

use crate::harness::*;

const CB: &str = "http://127.0.0.1:9100/callback";

fn serve_document(stub: &StubServer) -> String {
    let id = stub.url("/oauth-client.json");
    stub.set(
        "/oauth-client.json",
        Reply::json(
            json!({
                "client_id": id,
                "client_name": "Document App",
                "redirect_uris": [CB],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "none",
            })
            .to_string(),
        )
        .header("Cache-Control", "max-age=300"),
    );
    id
}

#[tokio::test]
async fn the_oauth2_crate_signs_in_with_a_url_as_client_id() {
    let stub = StubServer::start();
    let id = serve_document(&stub);
    let provider = Provider::start_with(&[(
        "ROCKET_OAUTH2_CLIENT_METADATA_DOCUMENTS__ALLOW_PRIVATE_ADDRESSES",
        "true",
    )])
    .await;
    provider.demo(); // the demo user signs in
    let metadata: serde_json::Value =
        reqwest::get(provider.url("/.well-known/oauth-authorization-server"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(metadata["client_id_metadata_document_supported"], true);

    let client = BasicClient::new(ClientId::new(id.clone()))
        .set_auth_uri(AuthUrl::new(provider.url("/oauth/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(provider.url("/oauth/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(CB.to_owned()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();

    let (html, params) =
        authorize_client(&provider, auth_url.as_str(), "allow", "Document App", CB).await;
    // The consent page names the client by its own claim, and says where that claim lives.
    assert!(
        html.contains("it describes itself at <strong>127.0.0.1</strong>"),
        "{html}"
    );
    let code = param(&params, "code").expect("a code");

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the token endpoint accepts the public client");
    let me = http
        .get(provider.url("/api/me"))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    let refreshed = client
        .exchange_refresh_token(token.refresh_token().expect("a refresh token"))
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(
        refreshed.access_token().secret(),
        token.access_token().secret()
    );
    assert_eq!(stub.hits("/oauth-client.json"), 1, "cached for max-age");
}

#[tokio::test]
async fn by_default_a_document_on_a_private_address_is_not_fetched() {
    let stub = StubServer::start();
    let id = serve_document(&stub).replace("http://", "https://");
    let provider = Provider::start().await;
    let page = browser()
        .get(provider.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", id.as_str()),
            ("redirect_uri", CB),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400);
    let html = page.text().await.unwrap();
    assert!(html.contains("private or loopback address"), "{html}");
    assert_eq!(stub.hits("/oauth-client.json"), 0);
}
