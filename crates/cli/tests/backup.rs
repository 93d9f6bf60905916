//! `wuye backup` and `wuye restore` run as an operator runs them: the binary, a demo server
//! serving while it is backed up, a restore into a fresh data dir (and, with
//! `WUYE_TEST_DATABASE_URL`, a fresh PostgreSQL database), and the restored database's own
//! manifest compared with the backup's: every table's rows and each money table's sums and
//! checksum.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

struct Target {
    data: PathBuf,
    url: Option<String>,
}

/// Throwaway PostgreSQL databases beside the test server's, dropped at the end.
struct Databases {
    admin_url: String,
    names: Vec<String>,
}

impl Databases {
    fn sql(&self, sql: &str) {
        let url = self.admin_url.clone();
        let sql = sql.to_string();
        tokio::runtime::Runtime::new()
            .expect("a runtime")
            .block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&url)
                    .await
                    .expect("connect to WUYE_TEST_DATABASE_URL");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .expect("CREATE/DROP DATABASE (the role needs CREATEDB)");
            });
    }

    fn create(&mut self, name: &str) -> String {
        self.sql(&format!("CREATE DATABASE {name}"));
        self.names.push(name.to_string());
        let base = self
            .admin_url
            .rsplit_once('/')
            .expect("a URL with a database")
            .0;
        format!("{base}/{name}")
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        for n in &self.names {
            self.sql(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
        }
    }
}

fn wuye(t: &Target) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wuye"));
    for v in [
        "WUYE_KEY",
        "WUYE_DATABASE_URL",
        "WUYE_DATA_DIR",
        "WUYE_DEMO",
        "WUYE_CONFIG",
    ] {
        c.env_remove(v);
    }
    c.env("WUYE_SCAN_SECONDS", "1")
        .arg("--data-dir")
        .arg(&t.data);
    if let Some(u) = &t.url {
        c.arg("--database-url").arg(u);
    }
    c
}

fn run(c: &mut Command) -> Output {
    c.output().expect("run wuye")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `wuye serve --demo`, returned once it listens (the demo data is in by then).
fn serve_demo(t: &Target) -> Child {
    let mut child = wuye(t)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start wuye serve");
    let out = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(out).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("listening on") => break,
            Some(Ok(_)) => {}
            _ => panic!("wuye serve --demo stopped before listening"),
        }
    }
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    child
}

fn manifest(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("a JSON manifest")
}

#[test]
fn a_backup_taken_while_serving_restores_with_the_same_rows_and_money() {
    let tmp = std::env::temp_dir().join(format!("wuye-backup-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let mut dbs = std::env::var("WUYE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .map(|admin_url| Databases {
            admin_url,
            names: Vec::new(),
        });
    let suffix = std::process::id();
    let mut target = |name: &str| Target {
        data: tmp.join(name),
        url: dbs
            .as_mut()
            .map(|d| d.create(&format!("wuye_backup_{name}_{suffix}"))),
    };
    let source = target("source");
    let restored = target("restored");
    let tampered = target("tampered");
    let keyless = target("keyless");

    // Backed up while it serves (its SLA scanner writes every second).
    let mut server = serve_demo(&source);
    let backup = tmp.join("backup");
    let out = run(wuye(&source).arg("backup").arg(&backup));
    let keyless_backup = tmp.join("backup-no-key");
    let out_no_key = run(wuye(&source)
        .arg("backup")
        .arg("--no-key")
        .arg(&keyless_backup));
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(out.status.success(), "backup: {}", text(&out.stderr));
    assert!(
        out_no_key.status.success(),
        "backup --no-key: {}",
        text(&out_no_key.stderr)
    );
    assert!(!keyless_backup.join("wuye.key").exists());

    let backed = manifest(&backup);
    let engine = if source.url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(backed["engine"], engine);
    // The demo's money is in the manifest, so the comparison below compares something.
    for table in ["charges", "payments", "settlements"] {
        let d = &backed["money"][table];
        assert!(d["rows"].as_u64().unwrap() > 0, "{table} has rows: {d}");
        assert_ne!(d["sums"]["amount_fen"].as_str(), Some("0"), "{table}: {d}");
    }
    assert!(backed["money"]["late_fees"]["rows"].as_u64().unwrap() > 0);
    assert!(backed["tables"]["units"].as_i64().unwrap() > 0);

    let out = run(wuye(&restored).arg("restore").arg(&backup));
    assert!(out.status.success(), "restore: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("restored and verified"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(restored.data.join("wuye.key")).unwrap(),
        std::fs::read_to_string(source.data.join("wuye.key")).unwrap()
    );

    // The restored database's own manifest, taken afresh, equals the backup's.
    let again = tmp.join("backup-of-restored");
    let out = run(wuye(&restored).arg("backup").arg(&again));
    assert!(out.status.success(), "second backup: {}", text(&out.stderr));
    let after = manifest(&again);
    assert_eq!(after["tables"], backed["tables"]);
    assert_eq!(after["money"], backed["money"]);

    // A restore never writes over data.
    let out = run(wuye(&restored).arg("restore").arg(&backup));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("restore into"),
        "{}",
        text(&out.stderr)
    );

    // A backup whose money does not match its manifest is refused, naming what differs.
    let forged = tmp.join("backup-forged");
    std::fs::create_dir_all(&forged).unwrap();
    for e in std::fs::read_dir(&backup).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), forged.join(e.file_name())).unwrap();
        }
    }
    let mut m = backed.clone();
    let sum: i64 = m["money"]["charges"]["sums"]["amount_fen"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    m["money"]["charges"]["sums"]["amount_fen"] = Value::String((sum + 1).to_string());
    std::fs::write(forged.join("manifest.json"), m.to_string()).unwrap();
    let out = run(wuye(&tampered).arg("restore").arg(&forged));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&format!(
            "charges.amount_fen: sum {} backed up, {sum} restored",
            sum + 1
        )),
        "{}",
        text(&out.stderr)
    );

    // Without the key in the backup or the data dir, a restore stops before touching anything.
    let out = run(wuye(&keyless).arg("restore").arg(&keyless_backup));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("key"), "{}", text(&out.stderr));
    assert!(!keyless.data.join("wuye.db").exists());

    drop(dbs);
    let _ = std::fs::remove_dir_all(&tmp);
}
