// Field types the runtime cannot read are reported at the field.
use oauth_runtime::OAuth2Client;

#[derive(OAuth2Client)]
struct Client {
    client_id: u32,
    redirect_uris: i64,
}

fn main() {}
