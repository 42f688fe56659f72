// A mapped field whose type the database cannot hold is reported at the store that uses it.
use oauth_runtime::{OAuth2Client, SqliteStore};

struct Uri(String);

impl oauth_runtime::__private::ListField for Uri {
    fn list(&self) -> Vec<String> {
        vec![self.0.clone()]
    }
}

#[derive(OAuth2Client)]
#[oauth(table = "apps")]
struct App {
    client_id: String,
    redirect_uris: Uri,
}

fn store(store: SqliteStore) -> impl oauth_runtime::Storage {
    store.with_clients::<App>()
}

fn main() {}
