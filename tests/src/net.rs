//! Ports for servers a test starts.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};

/// A port no other server of this test process was given. Ports come from a per-process
/// counter below the kernel's ephemeral range: a port from `bind(0)`, released, can be handed
/// to the next `bind(0)` of a parallel test, and two servers would then race for it (one
/// answering the other's readiness check).
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + u16::try_from(std::process::id() % 1000).unwrap_or(0) * 10;
    loop {
        let port = base + NEXT.fetch_add(1, Ordering::SeqCst) % 2_000;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
