//! The settings of notification channels (`WUYE_SMTP_*`, `WUYE_SMS_*`, `WUYE_WECHAT_*`) and of
//! the outbox worker (`WUYE_OUTBOX_*`), read from the environment or the config file. A channel
//! whose settings are absent is not offered; one whose settings are half there stops the start
//! with a message naming what is missing.

use std::collections::HashMap;

use wuye_core::notify::channels::aliyun::AliyunSettings;
use wuye_core::notify::channels::smtp::{SmtpSettings, TlsMode};
use wuye_core::notify::channels::tencent::TencentSettings;
use wuye_core::notify::channels::wechat::WechatSettings;
use wuye_core::notify::channels::{ChannelSettings, Secret, SmsSettings};
use wuye_core::notify::journal::Journal;
use wuye_core::notify::model::Event;
use wuye_core::notify::worker::WorkerOptions;

use crate::config::Resolved;

fn need(r: &Resolved, name: &str, why: &str) -> Result<String, String> {
    r.text(name)
        .ok_or_else(|| format!("{name} is required when {why} is set"))
}

/// `request_done=SMS_123,bill_reminder=SMS_456`: the provider's template id of each event.
fn templates(r: &Resolved, name: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for part in r.text(name).unwrap_or_default().split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (event, id) = part
            .split_once('=')
            .ok_or_else(|| format!("{name}: '{part}' is not event=template_id"))?;
        if Event::parse(event.trim()).is_none() {
            return Err(format!("{name}: unknown event '{}'", event.trim()));
        }
        out.insert(event.trim().to_string(), id.trim().to_string());
    }
    Ok(out)
}

pub fn channels(r: &Resolved) -> Result<ChannelSettings, String> {
    let smtp = match r.text("WUYE_SMTP_HOST") {
        None => None,
        Some(host) => {
            let tls = match r.text("WUYE_SMTP_TLS") {
                None => TlsMode::StartTls,
                Some(t) => TlsMode::parse(&t)
                    .ok_or_else(|| format!("WUYE_SMTP_TLS={t}: expected none, starttls or tls"))?,
            };
            let default_port = match tls {
                TlsMode::None => 25,
                TlsMode::StartTls => 587,
                TlsMode::Tls => 465,
            };
            let s = SmtpSettings {
                host,
                port: r.number("WUYE_SMTP_PORT", default_port, 1, 65_535)? as u16,
                tls,
                username: r.text("WUYE_SMTP_USER"),
                password: Secret(r.text("WUYE_SMTP_PASSWORD").unwrap_or_default()),
                from: need(r, "WUYE_SMTP_FROM", "WUYE_SMTP_HOST")?,
                pool: r.number("WUYE_SMTP_POOL", 4, 1, 64)? as u32,
            };
            // The sender must parse now, not at the first message.
            wuye_core::notify::channels::smtp::Smtp::new(&s)?;
            Some(s)
        }
    };
    let sms = match r.text("WUYE_SMS_PROVIDER").as_deref() {
        None => None,
        Some("aliyun") => Some(SmsSettings::Aliyun(AliyunSettings {
            endpoint: r
                .text("WUYE_SMS_ENDPOINT")
                .unwrap_or_else(|| "https://dysmsapi.aliyuncs.com".into()),
            access_key_id: need(r, "WUYE_SMS_KEY_ID", "WUYE_SMS_PROVIDER")?,
            access_key_secret: Secret(need(r, "WUYE_SMS_KEY_SECRET", "WUYE_SMS_PROVIDER")?),
            sign_name: need(r, "WUYE_SMS_SIGN_NAME", "WUYE_SMS_PROVIDER")?,
            region: r
                .text("WUYE_SMS_REGION")
                .unwrap_or_else(|| "cn-hangzhou".into()),
            templates: templates(r, "WUYE_SMS_TEMPLATES")?,
        })),
        Some("tencent") => Some(SmsSettings::Tencent(TencentSettings {
            endpoint: r
                .text("WUYE_SMS_ENDPOINT")
                .unwrap_or_else(|| "https://sms.tencentcloudapi.com".into()),
            secret_id: need(r, "WUYE_SMS_KEY_ID", "WUYE_SMS_PROVIDER")?,
            secret_key: Secret(need(r, "WUYE_SMS_KEY_SECRET", "WUYE_SMS_PROVIDER")?),
            sdk_app_id: need(r, "WUYE_SMS_APP_ID", "WUYE_SMS_PROVIDER=tencent")?,
            sign_name: need(r, "WUYE_SMS_SIGN_NAME", "WUYE_SMS_PROVIDER")?,
            region: r
                .text("WUYE_SMS_REGION")
                .unwrap_or_else(|| "ap-guangzhou".into()),
            templates: templates(r, "WUYE_SMS_TEMPLATES")?,
        })),
        Some(p) => return Err(format!("WUYE_SMS_PROVIDER={p}: expected aliyun or tencent")),
    };
    let wechat = match r.text("WUYE_WECHAT_APP_ID") {
        None => None,
        Some(app_id) => Some(WechatSettings {
            endpoint: r
                .text("WUYE_WECHAT_ENDPOINT")
                .unwrap_or_else(|| "https://api.weixin.qq.com".into()),
            app_id,
            app_secret: Secret(need(r, "WUYE_WECHAT_APP_SECRET", "WUYE_WECHAT_APP_ID")?),
            templates: templates(r, "WUYE_WECHAT_TEMPLATES")?,
        }),
    };
    Ok(ChannelSettings { smtp, sms, wechat })
}

pub fn worker(r: &Resolved) -> Result<WorkerOptions, String> {
    let d = WorkerOptions::default();
    std::fs::create_dir_all(&r.data_dir).map_err(|e| format!("{}: {e}", r.data_dir.display()))?;
    Ok(WorkerOptions {
        batch: r.number("WUYE_OUTBOX_BATCH", d.batch as u64, 1, 10_000)? as i64,
        concurrency: r.number("WUYE_OUTBOX_CONCURRENCY", d.concurrency as u64, 1, 256)? as usize,
        lease: chrono::Duration::seconds(r.number(
            "WUYE_OUTBOX_LEASE_SECS",
            d.lease.num_seconds() as u64,
            1,
            86_400,
        )? as i64),
        idle: std::time::Duration::from_millis(r.number(
            "WUYE_OUTBOX_IDLE_MS",
            d.idle.as_millis() as u64,
            10,
            60_000,
        )?),
        keep: chrono::Duration::days(r.number("WUYE_OUTBOX_KEEP_DAYS", 90, 1, 3650)? as i64),
        // Beside the database of this data dir: a restarted node finds what it had sent.
        journal: Some(std::sync::Arc::new(
            Journal::open(&r.data_dir.join("outbox-sent.journal"))
                .map_err(|e| format!("{}: {e}", r.data_dir.display()))?,
        )),
    })
}
