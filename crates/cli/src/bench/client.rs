//! The load client of the API benchmarks, and the probe that waits for a server to answer.
//!
//! It speaks HTTP/1.1 through hyper's connection API (`hyper::client::conn::http1`) rather than
//! a pooled client: each load connection is exactly one keep-alive TCP connection with one
//! request in flight, opened before the clock starts and reopened only after an I/O error.
//! A pooled client (hyper-util's legacy `Client`) hands a connection back to its pool from a
//! separate task once the body has been read, so a request sent right after the previous
//! answer often finds the pool empty and opens a new connection — the number of connections,
//! and so the load on the server, would no longer be what `--connections` says.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT, AUTHORIZATION, CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;

use super::AnyResult;
use super::report::pct;

/// Load on the API: `--connections` keep-alive connections, each with one request in flight at
/// a time, for a warm-up and then the timed window.
pub(super) const WARMUP: Duration = Duration::from_millis(1500);

/// The body of every request the benchmarks send: whole, with its length known up front.
pub(super) type Body = Full<Bytes>;

/// One keep-alive HTTP/1.1 connection to the server under test.
pub(super) struct Conn {
    tx: SendRequest<Body>,
}

impl Conn {
    pub(super) async fn connect(addr: SocketAddr) -> AnyResult<Conn> {
        let s = tokio::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        let (tx, conn) = handshake(s).await?;
        // Drives the connection; it ends by itself once `tx` is dropped or the peer closes.
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn { tx })
    }

    /// Sends `req` and returns the answer's status and whole body.
    pub(super) async fn exchange(&mut self, req: Request<Body>) -> AnyResult<(u16, Bytes)> {
        self.tx.ready().await?;
        let res = self.tx.send_request(req).await?;
        let status = res.status().as_u16();
        let body = res.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// Opens HTTP/1.1 on `s` with title-case header names, as the hand-written client before it
/// sent them: byte for byte the requests the earlier figures were measured with.
async fn handshake(
    s: tokio::net::TcpStream,
) -> hyper::Result<(
    SendRequest<Body>,
    http1::Connection<TokioIo<tokio::net::TcpStream>, Body>,
)> {
    http1::Builder::new()
        .title_case_headers(true)
        .handshake(TokioIo::new(s))
        .await
}

/// A request as an API client sends it: the bearer token, JSON accepted, and a JSON body when
/// there is one (its `Content-Length` set from the body).
pub(super) fn api_request(
    method: Method,
    addr: SocketAddr,
    path: &str,
    token: &str,
    body: Option<String>,
) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string())
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(ACCEPT, "application/json");
    let req = match body {
        Some(body) => b
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body))),
        None => b.body(Full::default()),
    };
    // Every part above is a valid header value or path; a failure is a bug of the benchmark.
    req.expect("a well-formed benchmark request")
}

/// One `GET path` on 127.0.0.1 on a connection of its own: the status code of the answer.
pub(super) async fn http_status(port: u16, path: &str) -> AnyResult<u16> {
    let s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let (mut tx, conn) = handshake(s).await?;
    let task = tokio::spawn(conn);
    let req = Request::get(path)
        .header(HOST, format!("127.0.0.1:{port}"))
        .header(CONNECTION, "close")
        .body(Full::default())?;
    let res = tx.send_request(req).await;
    // Only the status line matters: the body is not read, the connection not kept.
    task.abort();
    Ok(res?.status().as_u16())
}

/// Builds the `seq`-th request of connection `conn`.
pub(super) type RequestGen = Arc<dyn Fn(usize, u64) -> Request<Body> + Send + Sync>;

pub(super) struct LoadReport {
    /// Latencies of the answers completed inside the timed window, sorted.
    pub(super) lat: Vec<Duration>,
    window: Duration,
    /// Every answer by status, warm-up and tail included.
    pub(super) statuses: std::collections::BTreeMap<u16, u64>,
    io_errors: u64,
    peak_in_flight: usize,
    /// The body of the first unexpected answer.
    sample: Option<String>,
}

impl LoadReport {
    pub(super) fn rate(&self) -> f64 {
        self.lat.len() as f64 / self.window.as_secs_f64()
    }
    fn total(&self) -> u64 {
        self.statuses.values().sum()
    }
    pub(super) fn unexpected(&self, expect: u16) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| **s != expect)
            .map(|(_, n)| n)
            .sum::<u64>()
            + self.io_errors
    }
}

/// Runs `conns` connections against `addr`, each sending the next request as soon as the last
/// answer arrived, for `WARMUP` + `window`.
pub(super) async fn load(
    addr: SocketAddr,
    conns: usize,
    window: Duration,
    expect: u16,
    make: RequestGen,
) -> AnyResult<LoadReport> {
    let mut connected = Vec::with_capacity(conns);
    for _ in 0..conns {
        connected.push(Conn::connect(addr).await?);
    }
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let (m0, m1) = (t0 + WARMUP, t0 + WARMUP + window);
    let mut tasks = Vec::with_capacity(conns);
    for (k, mut c) in connected.into_iter().enumerate() {
        let make = Arc::clone(&make);
        let (in_flight, peak) = (Arc::clone(&in_flight), Arc::clone(&peak));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(1 << 16);
            let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
            let mut io_errors = 0;
            let mut sample = None;
            let mut seq = 0;
            loop {
                let start = Instant::now();
                if start >= m1 {
                    break;
                }
                let req = make(k, seq);
                seq += 1;
                let n = in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                peak.fetch_max(n, Ordering::Relaxed);
                let res = c.exchange(req).await;
                in_flight.fetch_sub(1, Ordering::Relaxed);
                let end = Instant::now();
                match res {
                    Ok((status, body)) => {
                        *statuses.entry(status).or_default() += 1;
                        if status != expect && sample.is_none() {
                            sample = Some(format!(
                                "{status} {}",
                                String::from_utf8_lossy(&body[..body.len().min(300)])
                            ));
                        }
                        if end >= m0 && end <= m1 {
                            lat.push(end - start);
                        }
                    }
                    Err(e) => {
                        io_errors += 1;
                        if sample.is_none() {
                            sample = Some(format!("I/O error: {e}"));
                        }
                        match Conn::connect(addr).await {
                            Ok(fresh) => c = fresh,
                            Err(_) => break,
                        }
                    }
                }
            }
            (lat, statuses, io_errors, sample)
        }));
    }
    let mut r = LoadReport {
        lat: Vec::new(),
        window,
        statuses: Default::default(),
        io_errors: 0,
        peak_in_flight: 0,
        sample: None,
    };
    for t in tasks {
        let (lat, statuses, io_errors, sample) = t.await?;
        r.lat.extend(lat);
        for (s, n) in statuses {
            *r.statuses.entry(s).or_default() += n;
        }
        r.io_errors += io_errors;
        r.sample = r.sample.or(sample);
    }
    r.lat.sort();
    r.peak_in_flight = peak.load(Ordering::Relaxed);
    Ok(r)
}

pub(super) fn print_load(label: &str, r: &LoadReport, expect: u16) {
    let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
    println!(
        "  {label:<17} {:.0} requests/s over {:.1} s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         peak in flight {}; answers {} ({}), I/O errors {}",
        r.rate(),
        r.window.as_secs_f64(),
        pct(&r.lat, 50.0),
        pct(&r.lat, 99.0),
        pct(&r.lat, 100.0),
        r.peak_in_flight,
        r.total(),
        statuses.join(", "),
        r.io_errors
    );
    if let Some(s) = &r.sample
        && r.unexpected(expect) > 0
    {
        println!("  first unexpected  {s}");
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Reads one request (head, and the body its `content-length` announces) off `s`.
    async fn read_request(s: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> AnyResult<String> {
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..p + 4]).to_string();
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(str::to_string)
                    })
                    .map_or(Ok(0), |v| v.parse::<usize>())?;
                if buf.len() >= p + 4 + length {
                    let whole = String::from_utf8_lossy(&buf[..p + 4 + length]).to_string();
                    buf.drain(..p + 4 + length);
                    return Ok(whole);
                }
            }
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                return Err("connection closed mid-request".into());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// What the server sees: the headers an API client sends, a body only on POST, and both
    /// requests on one kept-alive connection.
    #[tokio::test]
    async fn requests_keep_their_shape_on_one_connection() -> AnyResult<()> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await?;
            let mut buf = Vec::new();
            let mut seen = Vec::new();
            for _ in 0..2 {
                seen.push(read_request(&mut s, &mut buf).await?);
                s.write_all(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
                    .await?;
            }
            AnyResult::Ok(seen)
        });
        let mut c = Conn::connect(addr).await?;
        let body = r#"{"a":1}"#.to_string();
        let post = c
            .exchange(api_request(
                Method::POST,
                addr,
                "/api/v1/x",
                "t0k",
                Some(body),
            ))
            .await?;
        let get = c
            .exchange(api_request(Method::GET, addr, "/api/v1/x?y=1", "t0k", None))
            .await?;
        assert_eq!((post.0, &post.1[..]), (201, &b"ok"[..]));
        assert_eq!((get.0, &get.1[..]), (201, &b"ok"[..]));
        let seen = server.await??;
        assert_eq!(
            seen[0],
            format!(
                "POST /api/v1/x HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer t0k\r\n\
                 Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{{\"a\":1}}"
            )
        );
        assert_eq!(
            seen[1],
            format!(
                "GET /api/v1/x?y=1 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer t0k\r\n\
                 Accept: application/json\r\n\r\n"
            )
        );
        Ok(())
    }
}
