//! `wuye serve` in a child process on the benchmark's database: the startup benchmark times it,
//! the API benchmarks load it from this process, so the load generator and the server never
//! share a runtime, a scheduler or an allocator — what a figure measured from outside sees.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::AnyResult;
use super::client::http_status;
use super::workdir::{Engine, WorkDir};

/// The server process; killed when dropped (errors included).
pub(crate) struct Server {
    child: std::process::Child,
    pub(crate) port: u16,
    pub(crate) log: PathBuf,
    /// From the spawn until `GET /login` answered 200.
    pub(crate) ready: Duration,
    /// `GET /login` probes until then.
    pub(crate) polls: usize,
}

impl Server {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Stops the server and waits for it.
    pub(crate) fn stop(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> AnyResult<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// The command line a benchmark starts its server with, for its report.
pub(crate) fn command_line(exe: &Path, wd: &WorkDir) -> String {
    format!(
        "{} --data-dir {} serve --listen 127.0.0.1:<free port>",
        exe.display(),
        wd.path.display()
    )
}

/// Spawns `wuye --data-dir <working dir> serve --listen 127.0.0.1:<free port>` on the
/// benchmark's database (its log in `serve-<label>.log`) and waits until `GET /login` answers
/// 200. The SLA scanner is set to a day, so that a pass the benchmark times is not overlapped
/// by the server's own.
pub(crate) async fn start(engine: &Engine, wd: &WorkDir, label: &str) -> AnyResult<Server> {
    start_with(engine, wd, label, &[]).await
}

/// [`start`] with settings of the benchmark's own (`WUYE_SMTP_*`, `WUYE_OUTBOX_*`).
pub(crate) async fn start_with(
    engine: &Engine,
    wd: &WorkDir,
    label: &str,
    env: &[(&str, String)],
) -> AnyResult<Server> {
    let exe = std::env::current_exe()?;
    let port = free_port()?;
    let log = wd.path.join(format!("serve-{label}.log"));
    let out = std::fs::File::create(&log)?;
    let err = out.try_clone()?;
    let mut cmd = std::process::Command::new(exe);
    // Only the benchmark's directory and database: nothing configured elsewhere may redirect
    // the server.
    for v in [
        "WUYE_CONFIG",
        "WUYE_DATABASE_URL",
        "WUYE_KEY",
        "WUYE_DATA_DIR",
        "WUYE_LISTEN",
        "WUYE_DEMO",
        "WUYE_BENCH_DATABASE_URL",
    ] {
        cmd.env_remove(v);
    }
    cmd.arg("--data-dir")
        .arg(&wd.path)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("WUYE_LOG", "warn")
        .env("WUYE_SCAN_SECONDS", "86400")
        .env("WUYE_DATABASE_URL", engine.server_url(wd));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(err);
    let started = Instant::now();
    let mut server = Server {
        child: cmd.spawn()?,
        port,
        log,
        ready: Duration::ZERO,
        polls: 0,
    };
    let deadline = started + Duration::from_secs(60);
    loop {
        server.polls += 1;
        if let Ok(Ok(200)) =
            tokio::time::timeout(Duration::from_secs(2), http_status(port, "/login")).await
        {
            server.ready = started.elapsed();
            return Ok(server);
        }
        if let Some(status) = server.child.try_wait()? {
            let text = std::fs::read_to_string(&server.log).unwrap_or_default();
            return Err(format!("the server exited ({status}) before answering:\n{text}").into());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the server did not answer GET /login with 200 within 60 s (log: {})",
                server.log.display()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
