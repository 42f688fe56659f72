//! A stub HTTP/1.1 server for documents a server under test fetches (client metadata
//! documents, say): a fixed answer per path, set and changed by the test, with a count of the
//! requests each path received.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One answer.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    content_length: bool,
    delay: Duration,
}

impl Reply {
    /// `200` with `body` as `application/json`.
    pub fn json(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: body.into().into_bytes(),
            content_length: true,
            delay: Duration::ZERO,
        }
    }

    /// The same answer with another status.
    pub fn status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    /// The same answer with one more header (a `Content-Type` replaces the JSON one).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if name.eq_ignore_ascii_case("content-type") {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        }
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same answer without `Content-Length`: the body ends when the connection closes.
    pub fn without_length(mut self) -> Reply {
        self.content_length = false;
        self
    }

    /// The same answer, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Shared<T> = Arc<Mutex<T>>;

/// The server; it runs until the process ends.
pub struct StubServer {
    port: u16,
    replies: Shared<HashMap<String, Reply>>,
    hits: Shared<HashMap<String, usize>>,
}

impl StubServer {
    /// Starts a server on a loopback port. Paths it was given no reply for answer `404`.
    pub fn start() -> StubServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
        let port = listener.local_addr().expect("bound").port();
        let replies: Shared<HashMap<String, Reply>> = Arc::default();
        let hits: Shared<HashMap<String, usize>> = Arc::default();
        let (r, h) = (replies.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, h) = (r.clone(), h.clone());
                std::thread::spawn(move || answer(stream, &r, &h));
            }
        });
        StubServer {
            port,
            replies,
            hits,
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Answers `path` (with its query, if any) with `reply` from now on.
    pub fn set(&self, path: &str, reply: Reply) {
        lock(&self.replies).insert(path.to_owned(), reply);
    }

    /// The requests `path` received so far.
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.hits).get(path).copied().unwrap_or(0)
    }
}

fn lock<T>(shared: &Shared<T>) -> std::sync::MutexGuard<'_, T> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn answer(
    stream: TcpStream,
    replies: &Shared<HashMap<String, Reply>>,
    hits: &Shared<HashMap<String, usize>>,
) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    *lock(hits).entry(path.clone()).or_default() += 1;
    let reply = lock(replies)
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Reply::json("{}").status(404));
    std::thread::sleep(reply.delay);
    let mut head = format!("HTTP/1.1 {} Stub\r\nConnection: close\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.content_length {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}
