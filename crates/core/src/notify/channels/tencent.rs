//! SMS through Tencent Cloud (腾讯云短信, API 3.0 `SendSms`, version 2021-01-11): the JSON
//! request, its TC3-HMAC-SHA256 signature, and the reading of Tencent's error codes — for
//! the whole request (`Response.Error`) and for the one number (`SendStatusSet[0].Code`) —
//! into sent / retry / give up.

use std::collections::HashMap;

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::http::{self, Http};
use super::{Failure, Outgoing, Secret, Sent};

pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
pub const DEFAULT_REGION: &str = "ap-guangzhou";

const PROVIDER: &str = "tencent";
const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const API_VERSION: &str = "2021-01-11";
const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// Sent and signed byte for byte: the signature covers this header's value.
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

#[derive(Debug, Clone)]
pub struct TencentSettings {
    /// `https://sms.tencentcloudapi.com` unless a test points it at a stub; empty means that.
    pub endpoint: String,
    pub secret_id: String,
    pub secret_key: Secret,
    /// The SMS application's `SmsSdkAppId` (`1400…`).
    pub sdk_app_id: String,
    /// The approved signature name (签名).
    pub sign_name: String,
    /// Empty means `ap-guangzhou`.
    pub region: String,
    /// Event code → approved template id (digits).
    pub templates: HashMap<String, String>,
}

#[derive(Debug)]
pub struct Tencent {
    settings: TencentSettings,
    http: Http,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    response: Answer,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(default)]
    error: Option<Coded>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Coded {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    serial_no: String,
}

impl Tencent {
    pub fn new(mut s: TencentSettings) -> Self {
        s.endpoint = super::setting_or(&s.endpoint, DEFAULT_ENDPOINT);
        s.region = super::setting_or(&s.region, DEFAULT_REGION);
        Self {
            settings: s,
            http: Http::new(),
        }
    }

    pub fn has_template(&self, event: &str) -> bool {
        self.settings.templates.contains_key(event)
    }

    pub async fn send(&self, m: &Outgoing<'_>) -> Sent {
        let s = &self.settings;
        let template = super::template_for(&s.templates, m.event, "SMS")?;
        let url = reqwest::Url::parse(&format!("{}/", s.endpoint)).map_err(|e| {
            Failure::GiveUp(format!("{PROVIDER}: bad endpoint {:?}: {e}", s.endpoint))
        })?;
        let host = host_header(&url)
            .ok_or_else(|| Failure::GiveUp(format!("{PROVIDER}: no host in {:?}", s.endpoint)))?;
        // Mainland numbers arrive as 11 digits; Tencent wants E.164.
        let phone = if m.to.starts_with('+') {
            m.to.to_owned()
        } else {
            format!("+86{}", m.to)
        };
        let values: Vec<&str> = m.params.iter().map(|(_, v)| v.as_str()).collect();
        let payload = serde_json::json!({
            "PhoneNumberSet": [phone],
            "SmsSdkAppId": s.sdk_app_id,
            "SignName": s.sign_name,
            "TemplateId": template,
            "TemplateParamSet": values,
            "SessionContext": m.id.to_string(),
        })
        .to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let authorization = authorization(
            &s.secret_id,
            &s.secret_key.0,
            SERVICE,
            &host,
            timestamp,
            &payload,
        );
        let reply = self
            .http
            .call(PROVIDER, |c| {
                c.post(url)
                    .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                    // Set rather than left to the client, so that what is signed is what is sent.
                    .header(reqwest::header::HOST, &host)
                    .header(reqwest::header::AUTHORIZATION, authorization)
                    .header("X-TC-Action", ACTION)
                    .header("X-TC-Timestamp", timestamp.to_string())
                    .header("X-TC-Version", API_VERSION)
                    .header("X-TC-Region", &s.region)
                    .body(payload)
            })
            .await?;
        let envelope: Envelope = http::parse(PROVIDER, &reply)?;
        outcome(envelope.response)
    }
}

fn outcome(a: Answer) -> Sent {
    if let Some(e) = a.error {
        return Err(failure(&e.code, &e.message));
    }
    // One number per request, so one status.
    let Some(status) = a.send_status_set.into_iter().next() else {
        return Err(Failure::Retry(format!(
            "{PROVIDER}: answer has neither an error nor a send status"
        )));
    };
    if status.code == "Ok" {
        Ok(Some(status.serial_no).filter(|no| !no.is_empty()))
    } else {
        Err(failure(&status.code, &status.message))
    }
}

/// "Not now": Tencent's own failures and timeouts, API throttling, and the per-number
/// frequency limits (30 s, 1 h, a day, and the console's frequency policy), which lift by
/// themselves. Everything else — the keys (`AuthFailure.*`), the number, the template, the
/// signature name, the parameters — needs a person, so the message is given up.
fn failure(code: &str, message: &str) -> Failure {
    let retry = code.starts_with("RequestLimitExceeded")
        || code.starts_with("InternalError")
        || (code.starts_with("FailedOperation.") && code.contains("Timeout"))
        || matches!(
            code,
            "LimitExceeded.PhoneNumberDailyLimit"
                | "LimitExceeded.PhoneNumberThirtySecondLimit"
                | "LimitExceeded.PhoneNumberOneHourLimit"
                | "LimitExceeded.DeliveryFrequencyLimit"
        );
    let reason = format!("{code}: {message}");
    if retry {
        Failure::Retry(reason)
    } else {
        Failure::GiveUp(reason)
    }
}

/// The `Host` header as the client sends it: the host, and the port when it is not the
/// scheme's default.
fn host_header(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The UTC date of a Unix timestamp: the credential scope's date must be UTC, or a call made
/// between 00:00 and 08:00 Beijing time is refused.
fn utc_date(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// Steps 1 and 2 of TC3-HMAC-SHA256 for a POST of `payload` signing `content-type` and
/// `host`: the canonical request, hashed, inside the string to sign.
fn string_to_sign(service: &str, host: &str, timestamp: i64, payload: &str) -> String {
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}",
        sha256_hex(payload.as_bytes())
    );
    format!(
        "{ALGORITHM}\n{timestamp}\n{}/{service}/tc3_request\n{}",
        utc_date(timestamp),
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Step 3: the signing key derived from the secret key, the date and the service, applied to
/// the string to sign; lower-case hex.
fn signature(secret_key: &str, service: &str, host: &str, timestamp: i64, payload: &str) -> String {
    let secret_date = hmac256(
        format!("TC3{secret_key}").as_bytes(),
        utc_date(timestamp).as_bytes(),
    );
    let secret_service = hmac256(&secret_date, service.as_bytes());
    let secret_signing = hmac256(&secret_service, b"tc3_request");
    hex::encode(hmac256(
        &secret_signing,
        string_to_sign(service, host, timestamp, payload).as_bytes(),
    ))
}

/// Step 4: the `Authorization` header.
fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    timestamp: i64,
    payload: &str,
) -> String {
    format!(
        "{ALGORITHM} Credential={secret_id}/{}/{service}/tc3_request, \
         SignedHeaders=content-type;host, Signature={}",
        utc_date(timestamp),
        signature(secret_key, service, host, timestamp, payload)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body of Tencent's worked example (CVM `DescribeInstances`, instance name 未命名
    /// written as JSON escapes), exactly as the documentation signs it.
    const DOC_PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const DOC_TIMESTAMP: i64 = 1551113065;
    const DOC_HOST: &str = "cvm.tencentcloudapi.com";

    #[test]
    fn reproduces_tencents_published_string_to_sign() {
        assert_eq!(
            sha256_hex(DOC_PAYLOAD.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            string_to_sign("cvm", DOC_HOST, DOC_TIMESTAMP, DOC_PAYLOAD),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
    }

    /// The signatures Tencent publishes for that example: the English page's key
    /// `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE`, and the Chinese page's key as printed, asterisks
    /// included.
    #[test]
    fn reproduces_tencents_published_signatures() {
        assert_eq!(
            signature(
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                "cvm",
                DOC_HOST,
                DOC_TIMESTAMP,
                DOC_PAYLOAD
            ),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        assert_eq!(
            authorization(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
                "Gu5t9xGARNpq86cd98joQYCN3*******",
                "cvm",
                DOC_HOST,
                DOC_TIMESTAMP,
                DOC_PAYLOAD
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/\
             tc3_request, SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn the_date_is_utc_not_beijing() {
        // 2019-02-26 00:44:25 in Beijing.
        assert_eq!(utc_date(DOC_TIMESTAMP), "2019-02-25");
    }

    #[test]
    fn the_host_header_keeps_a_non_default_port() {
        let url = |s: &str| reqwest::Url::parse(s).expect("valid URL");
        assert_eq!(
            host_header(&url("https://sms.tencentcloudapi.com/")).as_deref(),
            Some("sms.tencentcloudapi.com")
        );
        assert_eq!(
            host_header(&url("http://127.0.0.1:8080/")).as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            host_header(&url("https://sms.tencentcloudapi.com:443/")).as_deref(),
            Some("sms.tencentcloudapi.com")
        );
    }

    #[test]
    fn codes_map_to_retry_or_give_up() {
        for code in [
            "RequestLimitExceeded",
            "InternalError.Timeout",
            "FailedOperation.RequestTimeout",
            "LimitExceeded.PhoneNumberDailyLimit",
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberOneHourLimit",
        ] {
            assert!(matches!(failure(code, "m"), Failure::Retry(_)), "{code}");
        }
        for code in [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SecretIdNotFound",
            "InvalidParameterValue.IncorrectPhoneNumber",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "InvalidParameterValue.TemplateParameterFormatError",
            "FailedOperation.PhoneNumberInBlacklist",
        ] {
            assert_eq!(
                failure(code, "m"),
                Failure::GiveUp(format!("{code}: m")),
                "{code}"
            );
        }
    }

    #[test]
    fn a_per_number_status_decides_when_the_request_itself_went_through() {
        let answer: Envelope = serde_json::from_str(
            r#"{"Response":{"SendStatusSet":[{"SerialNo":"2640:1","PhoneNumber":"+8613800000000",
            "Fee":1,"SessionContext":"7","Code":"Ok","Message":"send success","IsoCode":"CN"}],
            "RequestId":"r"}}"#,
        )
        .expect("Tencent's documented answer");
        assert_eq!(outcome(answer.response), Ok(Some("2640:1".to_owned())));
        let answer: Envelope = serde_json::from_str(
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},
            "RequestId":"r"}}"#,
        )
        .expect("Tencent's documented error");
        assert_eq!(
            outcome(answer.response),
            Err(Failure::GiveUp(
                "AuthFailure.SignatureFailure: bad".to_owned()
            ))
        );
    }
}
