//! `cargo run -p resource-server`: the notes API on http://127.0.0.1:8001.

#[rocket::launch]
fn rocket() -> _ {
    resource_server::rocket(resource_server::figment())
}
