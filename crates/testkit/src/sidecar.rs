//! Real peers the tests talk to, each a process of its own on a free loopback port: the SMTP
//! server (`.ci/smtp_sink.py`, aiosmtpd) and the SMS/WeChat provider stand-in
//! (`.ci/provider_stub.py`, which checks signatures as the providers document them). Each test
//! starts its own, so what arrived is that test's alone; the process dies with the value.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Sidecar {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
    log: PathBuf,
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../.ci")
        .join(name)
}

/// A Python that has aiosmtpd: the one on PATH (pip) or Debian's (python3-aiosmtpd).
fn python_with_aiosmtpd() -> &'static str {
    static P: OnceLock<&'static str> = OnceLock::new();
    P.get_or_init(|| {
        for p in ["python3", "/usr/bin/python3"] {
            let ok = Command::new(p)
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return p;
            }
        }
        panic!(
            "no Python with aiosmtpd: `apt-get install python3-aiosmtpd` or \
             `pip install aiosmtpd` (.ci/install-deps.sh installs it)"
        )
    })
}

impl Sidecar {
    fn start(python: &str, name: &str, args: &[&str]) -> Sidecar {
        let dir = std::env::temp_dir().join(format!("wuye-{name}-{}", crate::unique()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let log = dir.join("log.jsonl");
        let mut child = Command::new(python)
            .arg(script(name))
            .args(["--port", "0", "--log"])
            .arg(&log)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("stderr")).expect("a stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("{python} {name}: {e}"));
        let mut first = String::new();
        let out = child.stdout.take().expect("piped stdout");
        BufReader::new(out)
            .read_line(&mut first)
            .expect("the first line");
        let Some(port) = first
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            let err = std::fs::read_to_string(dir.join("stderr")).unwrap_or_default();
            panic!("{name} did not start: {first:?}\n{err}");
        };
        Sidecar {
            child,
            port,
            dir,
            log,
        }
    }

    /// The SMTP server, with `args` (`--fail-first N`, `--reject SUBSTRING`).
    pub fn smtp(args: &[&str]) -> Sidecar {
        Sidecar::start(python_with_aiosmtpd(), "smtp_sink.py", args)
    }

    /// The SMS and WeChat providers' stand-in.
    pub fn providers() -> Sidecar {
        Sidecar::start("python3", "provider_stub.py", &[])
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What arrived so far, a JSON object each.
    pub fn arrived(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// What arrived once at least `n` have, or after `limit` (the test then asserts the count).
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let got = self.arrived();
            if got.len() >= n || start.elapsed() > limit {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
