//! A minimal HTTP/1.1 server for the demo, the tests and the bench: one
//! thread per connection, keep-alive, `Content-Length` bodies only.
//!
//! It replaces `tiny_http`, whose connection thread pool can lose a wake-up
//! (`TaskPool::spawn` counts a waiter that was already notified), leaving a
//! new connection unread until another keep-alive connection closes: Chromium
//! opening six connections at once then waited forever for one file. With a
//! thread per connection there is no pool to starve.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Largest request head (request line and headers) read.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body read.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// An idle keep-alive connection is closed after this.
const IDLE: Duration = Duration::from_secs(30);

/// A request.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target, such as `/desk.html?x=1`.
    pub url: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (up to `MAX_BODY`).
    pub body: Vec<u8>,
    /// The client.
    pub remote: SocketAddr,
    /// The port the request came in on.
    pub local_port: u16,
}

impl Request {
    /// A header's value, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers; `Content-Length` and `Connection` are added.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Close the connection instead of answering: the client sees a network error.
    pub dropped: bool,
}

impl Response {
    /// A response with a status and a body.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response { status, headers: Vec::new(), body: body.into(), dropped: false }
    }

    /// No answer: the connection is closed.
    pub fn dropped() -> Response {
        Response { dropped: true, ..Response::new(0, Vec::new()) }
    }

    /// Adds a header.
    pub fn with(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// What answers requests.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A listening server.
pub struct Listening {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: JoinHandle<()>,
}

/// Listens on `addr` and answers each request with `handler`.
pub fn listen(addr: (&str, u16), handler: Handler) -> std::io::Result<Listening> {
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let acceptor = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let handler = handler.clone();
            std::thread::spawn(move || {
                let _ = connection(stream, &handler);
            });
        }
    });
    Ok(Listening { addr, stop, acceptor })
}

impl Listening {
    /// Stops accepting connections (open ones end with their client).
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor with one last connection.
        let _ = TcpStream::connect(self.addr);
        let _ = self.acceptor.join();
    }
}

fn connection(stream: TcpStream, handler: &Handler) -> std::io::Result<()> {
    let remote = stream.peer_addr()?;
    let local_port = stream.local_addr()?.port();
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(&mut reader, remote, local_port)? else { return Ok(()) };
        let keep_alive = !request.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let head_only = request.method == "HEAD";
        let response = handler(&request);
        if response.dropped {
            return Ok(());
        }
        let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
        for (k, v) in &response.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: {}\r\n\r\n",
            response.body.len(),
            if keep_alive { "keep-alive" } else { "close" }
        ));
        writer.write_all(head.as_bytes())?;
        if !head_only {
            writer.write_all(&response.body)?;
        }
        writer.flush()?;
        if !keep_alive {
            return Ok(());
        }
    }
}

/// Reads one request; `None` when the client closed the connection or sent
/// something that is not HTTP (the connection is then dropped).
fn read_request(
    reader: &mut BufReader<TcpStream>,
    remote: SocketAddr,
    local_port: u16,
) -> std::io::Result<Option<Request>> {
    let mut lines = Vec::new();
    let mut size = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        size += line.len();
        if size > MAX_HEAD {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            if lines.is_empty() {
                continue; // a stray CRLF between requests
            }
            break;
        }
        lines.push(line);
    }
    let mut first = lines[0].split(' ');
    let (Some(method), Some(url)) = (first.next(), first.next()) else { return Ok(None) };
    let headers: Vec<(String, String)> = lines[1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    if let Some(n) = length {
        if n > MAX_BODY {
            return Ok(None);
        }
        body.resize(n, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Some(Request { method: method.to_owned(), url: url.to_owned(), headers, body, remote, local_port }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_alive_requests_on_one_connection_and_many_at_once() {
        let handler: Handler = Arc::new(|r: &Request| Response::new(200, format!("{} {}", r.method, r.url)));
        let server = listen(("127.0.0.1", 0), handler).unwrap();
        // Seven connections at once, each with two requests: none may wait for another.
        let clients: Vec<_> = (0..7)
            .map(|i| {
                let addr = server.addr;
                std::thread::spawn(move || {
                    let mut s = TcpStream::connect(addr).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    let mut out = Vec::new();
                    for j in 0..2 {
                        write!(s, "GET /f{i}-{j} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                        let mut reader = BufReader::new(s.try_clone().unwrap());
                        let mut head = String::new();
                        loop {
                            let mut line = String::new();
                            reader.read_line(&mut line).unwrap();
                            if line == "\r\n" {
                                break;
                            }
                            head.push_str(&line);
                        }
                        let len: usize =
                            head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).unwrap().parse().unwrap();
                        let mut body = vec![0; len];
                        reader.read_exact(&mut body).unwrap();
                        out.push(String::from_utf8(body).unwrap());
                    }
                    out
                })
            })
            .collect();
        for (i, c) in clients.into_iter().enumerate() {
            assert_eq!(c.join().unwrap(), vec![format!("GET /f{i}-0"), format!("GET /f{i}-1")]);
        }
        server.stop();
    }
}
