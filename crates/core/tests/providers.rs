//! The SMS and WeChat channels against `.ci/provider_stub.py`, a local stand-in for Aliyun,
//! Tencent Cloud and WeChat that checks each request's signature the way the provider
//! documents it (so a wrong secret here fails as it would there) and answers each documented
//! error on cue: a bad number, a bad template, an unsubscribed reader, a rate limit, an
//! expired WeChat token. Each test starts its own stub, so counters and logs are its own.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use wuye_core::notify::channels::aliyun::{Aliyun, AliyunSettings};
use wuye_core::notify::channels::tencent::{Tencent, TencentSettings};
use wuye_core::notify::channels::wechat::{Wechat, WechatSettings};
use wuye_core::notify::channels::{Failure, Outgoing, Secret};

const GOOD_PHONE: &str = "13912345678";
const BAD_PHONE: &str = "13800000001";
const RATE_LIMITED_PHONE: &str = "13800000002";
/// Nothing listens on port 1: the connection is refused at once.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:1";

/// A running stub, killed (and its log removed) when dropped.
struct Stub {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Stub {
    fn start() -> Stub {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wuye-provider-stub-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/provider_stub.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .args(["--port", "0", "--log"])
            .arg(dir.join("messages.jsonl"))
            .stdout(Stdio::piped())
            // The stub logs each request there; read only when it fails to start.
            .stderr(std::fs::File::create(dir.join("stub.err")).expect("a stderr file"))
            .spawn()
            .expect("python3 on PATH");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("the stub's first line");
        let Some(port) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(dir.join("stub.err")).unwrap_or_default();
            panic!("the stub did not start: {first:?}\n{err}");
        };
        Stub {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    /// The messages the stub accepted from `provider`, in order.
    fn delivered(&self, provider: &str) -> Vec<serde_json::Value> {
        let log = std::fs::read_to_string(self.dir.join("messages.jsonl")).unwrap_or_default();
        log.lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON line"))
            .filter(|m| m["provider"] == provider)
            .collect()
    }

    async fn stats(&self) -> serde_json::Value {
        reqwest::get(format!("{}/stats", self.url))
            .await
            .expect("the stub answers")
            .json()
            .await
            .expect("JSON stats")
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn templates(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn params() -> Vec<(String, String)> {
    vec![
        ("no".to_owned(), "R-20260101-7".to_owned()),
        ("unit".to_owned(), "3栋 1-101".to_owned()),
    ]
}

fn message<'a>(
    id: i64,
    to: &'a str,
    event: &'a str,
    params: &'a [(String, String)],
) -> Outgoing<'a> {
    Outgoing {
        id,
        to,
        subject: "报事已办结",
        body: "您的报事 R-20260101-7 已办结。",
        event,
        params,
    }
}

fn expect_give_up(sent: Result<Option<String>, Failure>, code: &str) {
    match sent {
        Err(Failure::GiveUp(reason)) => {
            assert!(reason.contains(code), "{reason:?} should name {code}")
        }
        other => panic!("expected give up with {code}, got {other:?}"),
    }
}

fn expect_retry(sent: Result<Option<String>, Failure>, code: &str) {
    match sent {
        Err(Failure::Retry(reason)) => {
            assert!(reason.contains(code), "{reason:?} should name {code}")
        }
        other => panic!("expected retry with {code}, got {other:?}"),
    }
}

// ---------------------------------------------------------------- Aliyun

fn aliyun(endpoint: &str, secret: &str) -> Aliyun {
    Aliyun::new(AliyunSettings {
        endpoint: endpoint.to_owned(),
        access_key_id: "LTAI-test".to_owned(),
        access_key_secret: Secret(secret.to_owned()),
        sign_name: "物业服务中心".to_owned(),
        region: String::new(),
        templates: templates(&[("request_done", "SMS_100000001"), ("bad", "BAD")]),
    })
}

#[tokio::test]
async fn aliyun_sends_a_signed_message_once_with_its_named_params() {
    let stub = Stub::start();
    let sms = aliyun(&stub.url, "aliyun-test-secret");
    assert!(sms.has_template("request_done"));
    assert!(!sms.has_template("fee_due"));
    let p = params();

    let sent = sms.send(&message(41, GOOD_PHONE, "request_done", &p)).await;
    let biz_id = sent.expect("sent").expect("Aliyun's BizId");
    assert!(biz_id.ends_with("^0"), "{biz_id}");

    let delivered = stub.delivered("aliyun");
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0],
        serde_json::json!({
            "provider": "aliyun", "to": GOOD_PHONE, "template": "SMS_100000001",
            "params": {"no": "R-20260101-7", "unit": "3栋 1-101"}, "ref": "41",
        })
    );
}

#[tokio::test]
async fn aliyun_gives_up_on_a_bad_number_a_bad_template_or_no_template() {
    let stub = Stub::start();
    let sms = aliyun(&stub.url, "aliyun-test-secret");
    let p = params();
    expect_give_up(
        sms.send(&message(1, BAD_PHONE, "request_done", &p)).await,
        "isv.MOBILE_NUMBER_ILLEGAL",
    );
    expect_give_up(
        sms.send(&message(2, GOOD_PHONE, "bad", &p)).await,
        "isv.SMS_TEMPLATE_ILLEGAL",
    );
    assert_eq!(
        sms.send(&message(3, GOOD_PHONE, "fee_due", &p)).await,
        Err(Failure::GiveUp(
            "no SMS template for event fee_due".to_owned()
        ))
    );
    assert!(stub.delivered("aliyun").is_empty());
}

#[tokio::test]
async fn aliyun_retries_a_rate_limit_and_then_sends() {
    let stub = Stub::start();
    let sms = aliyun(&stub.url, "aliyun-test-secret");
    let p = params();
    let m = message(5, RATE_LIMITED_PHONE, "request_done", &p);
    expect_retry(sms.send(&m).await, "isv.BUSINESS_LIMIT_CONTROL");
    expect_retry(sms.send(&m).await, "isv.BUSINESS_LIMIT_CONTROL");
    assert!(sms.send(&m).await.is_ok());
    assert_eq!(stub.delivered("aliyun").len(), 1);
}

#[tokio::test]
async fn aliyun_signed_with_the_wrong_secret_is_refused_as_aliyun_refuses_it() {
    let stub = Stub::start();
    let sms = aliyun(&stub.url, "not-the-secret");
    let p = params();
    expect_give_up(
        sms.send(&message(6, GOOD_PHONE, "request_done", &p)).await,
        "SignatureDoesNotMatch",
    );
    assert!(stub.delivered("aliyun").is_empty());
}

#[tokio::test]
async fn aliyun_unreachable_is_retried() {
    let sms = aliyun(DEAD_ENDPOINT, "aliyun-test-secret");
    let p = params();
    expect_retry(
        sms.send(&message(7, GOOD_PHONE, "request_done", &p)).await,
        "aliyun",
    );
}

// ---------------------------------------------------------------- Tencent

fn tencent(endpoint: &str, secret_key: &str) -> Tencent {
    Tencent::new(TencentSettings {
        endpoint: endpoint.to_owned(),
        secret_id: "AKID-test".to_owned(),
        secret_key: Secret(secret_key.to_owned()),
        sdk_app_id: "1400000000".to_owned(),
        sign_name: "物业服务中心".to_owned(),
        region: String::new(),
        templates: templates(&[("request_done", "1234567"), ("bad", "BAD")]),
    })
}

#[tokio::test]
async fn tencent_sends_a_signed_message_once_with_its_params_in_order() {
    let stub = Stub::start();
    let sms = tencent(&stub.url, "tencent-test-secret");
    assert!(sms.has_template("request_done"));
    assert!(!sms.has_template("fee_due"));
    let p = params();

    let sent = sms.send(&message(42, GOOD_PHONE, "request_done", &p)).await;
    let serial = sent.expect("sent").expect("Tencent's SerialNo");
    assert!(serial.starts_with("2640:"), "{serial}");

    let delivered = stub.delivered("tencent");
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0],
        serde_json::json!({
            "provider": "tencent", "to": format!("+86{GOOD_PHONE}"), "template": "1234567",
            "params": ["R-20260101-7", "3栋 1-101"], "ref": "42",
        })
    );
}

#[tokio::test]
async fn tencent_gives_up_on_a_bad_number_a_bad_template_or_no_template() {
    let stub = Stub::start();
    let sms = tencent(&stub.url, "tencent-test-secret");
    let p = params();
    expect_give_up(
        sms.send(&message(1, BAD_PHONE, "request_done", &p)).await,
        "InvalidParameterValue.IncorrectPhoneNumber",
    );
    expect_give_up(
        sms.send(&message(2, GOOD_PHONE, "bad", &p)).await,
        "FailedOperation.TemplateIncorrectOrUnapproved",
    );
    assert_eq!(
        sms.send(&message(3, GOOD_PHONE, "fee_due", &p)).await,
        Err(Failure::GiveUp(
            "no SMS template for event fee_due".to_owned()
        ))
    );
    assert!(stub.delivered("tencent").is_empty());
}

#[tokio::test]
async fn tencent_retries_a_rate_limit_and_then_sends() {
    let stub = Stub::start();
    let sms = tencent(&stub.url, "tencent-test-secret");
    let p = params();
    let m = message(5, RATE_LIMITED_PHONE, "request_done", &p);
    expect_retry(
        sms.send(&m).await,
        "LimitExceeded.PhoneNumberThirtySecondLimit",
    );
    expect_retry(
        sms.send(&m).await,
        "LimitExceeded.PhoneNumberThirtySecondLimit",
    );
    assert!(sms.send(&m).await.is_ok());
    assert_eq!(stub.delivered("tencent").len(), 1);
}

#[tokio::test]
async fn tencent_signed_with_the_wrong_key_is_refused_as_tencent_refuses_it() {
    let stub = Stub::start();
    let sms = tencent(&stub.url, "not-the-key");
    let p = params();
    expect_give_up(
        sms.send(&message(6, GOOD_PHONE, "request_done", &p)).await,
        "AuthFailure.SignatureFailure",
    );
    assert!(stub.delivered("tencent").is_empty());
}

#[tokio::test]
async fn tencent_unreachable_is_retried() {
    let sms = tencent(DEAD_ENDPOINT, "tencent-test-secret");
    let p = params();
    expect_retry(
        sms.send(&message(7, GOOD_PHONE, "request_done", &p)).await,
        "tencent",
    );
}

// ---------------------------------------------------------------- WeChat

fn wechat(endpoint: &str, secret: &str) -> Wechat {
    Wechat::new(WechatSettings {
        endpoint: endpoint.to_owned(),
        app_id: "wx-test".to_owned(),
        app_secret: Secret(secret.to_owned()),
        templates: templates(&[("request_done", "tpl-request-done"), ("bad", "BAD")]),
    })
}

#[tokio::test]
async fn wechat_renews_a_rejected_token_within_the_call_and_then_keeps_it() {
    let stub = Stub::start();
    let wx = wechat(&stub.url, "wechat-test-secret");
    assert!(wx.has_template("request_done"));
    assert!(!wx.has_template("fee_due"));
    let p = params();

    // The stub's first token is refused on first use: the send fetches a second and goes.
    let sent = wx
        .send(&message(43, "o-reader-1", "request_done", &p))
        .await;
    assert!(sent.expect("sent").is_some(), "WeChat's msgid");
    assert_eq!(stub.stats().await["wechat_tokens_issued"], 2);

    let delivered = stub.delivered("wechat");
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0],
        serde_json::json!({
            "provider": "wechat", "to": "o-reader-1", "template": "tpl-request-done",
            "params": {"no": "R-20260101-7", "unit": "3栋 1-101"}, "ref": null,
        })
    );

    // The second token is cached: the next message fetches none.
    assert!(
        wx.send(&message(44, "o-reader-2", "request_done", &p))
            .await
            .is_ok()
    );
    assert_eq!(stub.stats().await["wechat_tokens_issued"], 2);
    assert_eq!(stub.delivered("wechat").len(), 2);
}

#[tokio::test]
async fn wechat_gives_up_on_an_unsubscribed_reader_a_bad_template_or_no_template() {
    let stub = Stub::start();
    let wx = wechat(&stub.url, "wechat-test-secret");
    let p = params();
    expect_give_up(
        wx.send(&message(1, "o-unsubscribed", "request_done", &p))
            .await,
        "43004",
    );
    expect_give_up(wx.send(&message(2, "o-reader-1", "bad", &p)).await, "40037");
    assert_eq!(
        wx.send(&message(3, "o-reader-1", "fee_due", &p)).await,
        Err(Failure::GiveUp(
            "no WeChat template for event fee_due".to_owned()
        ))
    );
    assert!(stub.delivered("wechat").is_empty());
}

#[tokio::test]
async fn wechat_retries_a_rate_limit_and_then_sends() {
    let stub = Stub::start();
    let wx = wechat(&stub.url, "wechat-test-secret");
    let p = params();
    let m = message(5, "o-rate-limited", "request_done", &p);
    expect_retry(wx.send(&m).await, "45009");
    expect_retry(wx.send(&m).await, "45009");
    assert!(wx.send(&m).await.is_ok());
    assert_eq!(stub.delivered("wechat").len(), 1);
}

#[tokio::test]
async fn wechat_with_the_wrong_secret_gets_no_token() {
    let stub = Stub::start();
    let wx = wechat(&stub.url, "not-the-secret");
    let p = params();
    expect_give_up(
        wx.send(&message(6, "o-reader-1", "request_done", &p)).await,
        "40125",
    );
    assert_eq!(stub.stats().await["wechat_tokens_issued"], 0);
    assert!(stub.delivered("wechat").is_empty());
}

#[tokio::test]
async fn wechat_unreachable_is_retried_without_leaking_the_secret() {
    let wx = wechat(DEAD_ENDPOINT, "wechat-test-secret");
    let p = params();
    let sent = wx.send(&message(7, "o-reader-1", "request_done", &p)).await;
    expect_retry(sent.clone(), "wechat");
    let reason = sent.expect_err("not sent").reason().to_owned();
    assert!(!reason.contains("wechat-test-secret"), "{reason}");
}
