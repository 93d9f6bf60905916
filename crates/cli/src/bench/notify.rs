//! `wuye bench notify`: notifications through the outbox to a real SMTP server. The messages are
//! written as the modules write them (`notify::enqueue`, in transactions of their own), then
//! `wuye serve` in a child process sends them to `.ci/smtp_sink.py` (aiosmtpd, a third
//! process). Midway the server is killed with SIGKILL and started again; the benchmark then
//! waits until the outbox is empty and compares what the sink received, by Message-ID, with
//! what the outbox holds: every message exactly once, none missing.
//!
//! Target on SQLite and on PostgreSQL: ≥ 500 delivered/s while a server sends, 0 missing, 0
//! duplicates. Delivery is at least once with a stable Message-ID per message: a copy arrives
//! only when the kill falls between the sink taking a message and its answer reaching the node,
//! and the figures say how many did.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use wuye_core::Settings;
use wuye_core::auth::{self, UserForCreate};
use wuye_core::notify::channels::smtp::{SmtpSettings, TlsMode};
use wuye_core::notify::channels::{ChannelSettings, Secret};
use wuye_core::notify::model::Event;
use wuye_core::notify::{self, InApp, Note, NotifyContactForUpdate};
use wuye_core::shared::ids::UserId;

use super::AnyResult;
use super::WorkDirArgs;
use super::report::pass;
use super::server;
use super::workdir::{Engine, WorkDir, fresh_core_with, new_community};

/// Messages delivered per second while a server sends.
const TARGET_PER_SECOND: f64 = 500.0;

/// The SMTP server process; killed when dropped.
struct Sink {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `.ci/smtp_sink.py` from the working copy (`WUYE_SMTP_SINK` names another), on a Python that
/// has aiosmtpd.
fn start_sink(wd: &WorkDir) -> AnyResult<Sink> {
    let script = std::env::var("WUYE_SMTP_SINK")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/smtp_sink.py")
        });
    let python = ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .ok_or("no Python with aiosmtpd (apt-get install python3-aiosmtpd)")?;
    let log = wd.path.join("sink.jsonl");
    let mut child = Command::new(python)
        .arg(&script)
        .args(["--port", "0", "--raw", "--log"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(wd.path.join("sink.err"))?)
        .spawn()?;
    let mut first = String::new();
    BufReader::new(child.stdout.take().ok_or("sink stdout")?).read_line(&mut first)?;
    let port = first
        .trim()
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("the SMTP sink did not start: {first:?}"))?;
    Ok(Sink { child, port, log })
}

/// Lines the sink logged so far.
fn arrivals(sink: &Sink) -> usize {
    std::fs::read(&sink.log)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

pub(super) async fn bench_notify(
    messages: usize,
    staff: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    let wd = WorkDir::new("notify", work)?;
    let sink = start_sink(&wd)?;
    let smtp = SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        tls: TlsMode::None,
        username: None,
        password: Secret::default(),
        from: "基准物业 <notice@bench.test>".into(),
        pool: 8,
    };
    let settings = Settings {
        channels: ChannelSettings {
            smtp: Some(smtp),
            ..Default::default()
        },
        password_cost: wuye_core::PasswordCost::Low,
        ..Settings::default()
    };
    let (core, company) = fresh_core_with(&wd, engine, settings).await?;
    let c = new_community(&core, company, "NT", "通知小区").await?;

    // The staff, each with an address (breaches go by e-mail by default).
    let mut users: Vec<UserId> = Vec::with_capacity(staff);
    for i in 0..staff {
        let u = auth::create_user_as_system(
            &core,
            company,
            UserForCreate {
                username: format!("pm{i:04}"),
                display_name: format!("经理{i:04}"),
                role: "project_manager".into(),
                password: "bench-password-2026".into(),
                communities: vec![c],
            },
        )
        .await?;
        let ctx = auth::load_ctx(&core, u.user.id).await?;
        notify::set_contact(
            &core,
            &ctx,
            NotifyContactForUpdate {
                email: Some(format!("pm{i:04}@bench.test")),
                ..Default::default()
            },
        )
        .await?;
        users.push(u.user.id);
    }

    // The messages, written as the scanner writes them: one note to every manager, a
    // transaction per 10 notes.
    let notes = messages.div_ceil(staff);
    let t = Instant::now();
    let mut written = 0usize;
    let mut n = 0usize;
    while n < notes {
        let mut tx = core.db.begin().await?;
        for _ in 0..10.min(notes - n) {
            let to = &users[..staff.min(messages - written)];
            let note = Note {
                community: c,
                event: Event::SlaBreach,
                params: vec![
                    ("number".into(), format!("BX-{n:06}")),
                    ("clock".into(), "处理完成".into()),
                    ("due".into(), "12-05 09:00".into()),
                ],
                request: None,
                link: None,
            };
            notify::enqueue(
                &core.channels,
                &mut tx,
                &note,
                to,
                InApp::Written,
                Utc::now(),
            )
            .await?;
            written += to.len();
            n += 1;
        }
        tx.commit().await?;
    }
    let enqueue_s = t.elapsed().as_secs_f64();
    let counts = notify::all_counts(&core).await?;
    println!(
        "enqueued {} messages ({} notes × {} staff) in {:.1} s: {:.0}/s",
        counts.pending,
        notes,
        staff,
        enqueue_s,
        counts.pending as f64 / enqueue_s
    );
    let total = counts.pending as usize;
    core.db.close().await;
    drop(core);

    // The sender: `wuye serve`, killed midway and started again.
    let env = [
        ("WUYE_SMTP_HOST", "127.0.0.1".to_string()),
        ("WUYE_SMTP_PORT", sink.port.to_string()),
        ("WUYE_SMTP_TLS", "none".to_string()),
        ("WUYE_SMTP_FROM", "基准物业 <notice@bench.test>".to_string()),
        ("WUYE_SMTP_POOL", "8".to_string()),
        ("WUYE_OUTBOX_LEASE_SECS", "5".to_string()),
    ];
    let env: Vec<(&str, String)> = env.into_iter().collect();
    let first = server::start_with(engine, &wd, "first", &env).await?;
    let t1 = Instant::now();
    // Midway, and mid-batch (a pass leases 200): not at a pass's boundary.
    let half = total / 2 + 101;
    let deadline = Instant::now() + Duration::from_secs(600);
    while arrivals(&sink) < half && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before_kill = arrivals(&sink);
    let first_s = t1.elapsed().as_secs_f64();
    // SIGKILL: the worker dies mid-batch, leases held.
    first.stop();
    println!(
        "first server: {before_kill} delivered in {first_s:.1} s ({:.0}/s), then killed (SIGKILL)",
        before_kill as f64 / first_s
    );
    let killed_at = Instant::now();
    let second = server::start_with(engine, &wd, "second", &env).await?;
    let t2 = Instant::now();
    let mut last = arrivals(&sink);
    let mut stable_since = Instant::now();
    // Until every message is accounted for and nothing more arrives for 7 s (past the lease).
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = arrivals(&sink);
        if now != last {
            last = now;
            stable_since = Instant::now();
        } else if now >= total && stable_since.elapsed() > Duration::from_secs(7) {
            break;
        }
    }
    let second_s = t2.elapsed().as_secs_f64() - 7.0;
    let after = last - before_kill;
    println!(
        "second server: {after} delivered in {second_s:.1} s after its start ({:.0}/s; {:.1} s from the kill, \
         including the 5 s lease of the killed node's batch)",
        after as f64 / second_s.max(0.001),
        killed_at.elapsed().as_secs_f64() - 7.0
    );
    second.stop();

    // What arrived, by Message-ID, against the outbox.
    let text = std::fs::read_to_string(&sink.log)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v["message_id"].as_str().unwrap_or("").to_string();
        *seen.entry(id).or_default() += 1;
    }
    let core = super::workdir::reopen_plain(&wd, engine).await?;
    let counts = notify::all_counts(&core).await?;
    let mut missing = 0usize;
    for id in super::store::notify::outbox_ids(&core).await? {
        if !seen.contains_key(&format!("<outbox-{id}@bench.test>")) {
            missing += 1;
        }
    }
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    let arrivals_n: usize = seen.values().sum();
    let doubts = super::store::notify::in_doubt_attempts(&core).await?;
    let journaled = super::store::notify::journaled_attempts(&core).await?;
    core.db.close().await;
    let rate = (before_kill + after) as f64 / (first_s + second_s).max(0.001);
    println!(
        "outbox: {} sent, {} pending, {} failed; sink: {} arrivals, {} distinct Message-IDs",
        counts.sent,
        counts.pending,
        counts.failed,
        arrivals_n,
        seen.len()
    );
    println!(
        "messages the killed node had leased: {journaled} taken before the kill (recorded from its \
         journal), {doubts} sent again (in_doubt)"
    );
    let ok_rate = rate >= TARGET_PER_SECOND;
    println!(
        "delivered while a server sends: {rate:.0}/s (target ≥ {TARGET_PER_SECOND:.0}/s) {}",
        pass(ok_rate)
    );
    println!("missing: {missing} (target 0) {}", pass(missing == 0));
    // A copy arrives only when the kill fell between the sink taking a message and its "250"
    // reaching the node (the journal closes the wider gap up to the database's record). It
    // carries the first one's Message-ID, by which a mail store keeps one.
    println!(
        "duplicates (same Message-ID twice): {duplicates} (target 0) {}",
        pass(duplicates == 0)
    );
    let all_sent = counts.sent as usize == total && counts.pending == 0 && counts.failed == 0;
    println!("every message marked sent: {}", pass(all_sent));
    drop(sink);
    drop(wd);
    if ok_rate && missing == 0 && duplicates == 0 && all_sent {
        Ok(())
    } else {
        Err("a target was missed".into())
    }
}
