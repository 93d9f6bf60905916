//! SMS through Aliyun (阿里云短信, dysmsapi `SendSms`, version 2017-05-25): the request, its
//! RPC signature (version 1.0, HMAC-SHA1 over the sorted, percent-encoded parameters) and
//! the reading of Aliyun's answer codes into sent / retry / give up.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha1::Sha1;

use super::http::{self, Http};
use super::{Failure, Outgoing, Secret, Sent};

pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com";
pub const DEFAULT_REGION: &str = "cn-hangzhou";

const PROVIDER: &str = "aliyun";
const API_VERSION: &str = "2017-05-25";

/// Codes that mean "not now". Aliyun's flow control (`isv.BUSINESS_LIMIT_CONTROL`: per
/// number per minute/hour/day) and API throttling lift by themselves; `isp.SYSTEM_ERROR` is
/// Aliyun's own failure; `SignatureNonceUsed` can only be a collision of our random nonce, and
/// the next attempt draws a new one. Every other code names something only a person can fix
/// (the number, the template, the signature name, the keys), so the message is given up.
const RETRY_CODES: &[&str] = &[
    "isv.BUSINESS_LIMIT_CONTROL",
    "Throttling.User",
    "Throttling.Api",
    "Throttling",
    "isp.SYSTEM_ERROR",
    "SignatureNonceUsed",
    "ServiceUnavailable",
    "InternalError",
];

#[derive(Debug, Clone)]
pub struct AliyunSettings {
    /// `https://dysmsapi.aliyuncs.com` unless a test points it at a stub; empty means that.
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// The approved signature name (签名), shown as 【…】 before the text.
    pub sign_name: String,
    /// Empty means `cn-hangzhou`, the region dysmsapi lives in.
    pub region: String,
    /// Event code → approved template code (`SMS_123456789`).
    pub templates: HashMap<String, String>,
}

#[derive(Debug)]
pub struct Aliyun {
    settings: AliyunSettings,
    http: Http,
}

/// Aliyun's answer to `SendSms`, success or not (`Code` is `OK` on success).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    biz_id: Option<String>,
}

impl Aliyun {
    pub fn new(mut s: AliyunSettings) -> Self {
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
        let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut params: BTreeMap<&str, String> = BTreeMap::new();
        params.insert("AccessKeyId", s.access_key_id.clone());
        params.insert("Action", "SendSms".to_owned());
        params.insert("Format", "JSON".to_owned());
        params.insert("OutId", m.id.to_string());
        params.insert("PhoneNumbers", m.to.to_owned());
        params.insert("RegionId", s.region.clone());
        params.insert("SignName", s.sign_name.clone());
        params.insert("SignatureMethod", "HMAC-SHA1".to_owned());
        params.insert("SignatureNonce", nonce()?);
        params.insert("SignatureVersion", "1.0".to_owned());
        params.insert("TemplateCode", template.clone());
        if !m.params.is_empty() {
            params.insert("TemplateParam", template_param(m.params));
        }
        params.insert("Timestamp", timestamp);
        params.insert("Version", API_VERSION.to_owned());

        let signature = sign("POST", &params, &s.access_key_secret.0);
        let body = format!(
            "{}&Signature={}",
            canonicalize(&params),
            percent_encode(&signature)
        );
        let url = format!("{}/", s.endpoint);
        let reply = self
            .http
            .call(PROVIDER, |c| {
                c.post(url)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
            })
            .await?;
        outcome(http::parse(PROVIDER, &reply)?)
    }
}

fn outcome(a: Answer) -> Sent {
    if a.code == "OK" {
        return Ok(a.biz_id.filter(|id| !id.is_empty()));
    }
    let reason = format!("{}: {}", a.code, a.message);
    if RETRY_CODES.contains(&a.code.as_str()) {
        Err(Failure::Retry(reason))
    } else {
        Err(Failure::GiveUp(reason))
    }
}

/// The template's named placeholders as the JSON object `TemplateParam` takes.
fn template_param(params: &[(String, String)]) -> String {
    let object: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(name, value)| (name.clone(), serde_json::Value::String(value.clone())))
        .collect();
    serde_json::Value::Object(object).to_string()
}

/// Aliyun refuses a nonce it has seen within 15 minutes, so it must be random, not a counter
/// that restarts with the process.
fn nonce() -> Result<String, Failure> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::Retry(format!("{PROVIDER}: no random nonce: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Percent-encoding as Aliyun's signature defines it (RFC 3986): only `A-Z a-z 0-9 - _ . ~`
/// stay as they are; everything else, UTF-8 byte by byte, becomes `%XX` in upper case — so a
/// space is `%20` (not `+`), `*` is `%2A`, and `~` is kept.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonicalized query string: parameters sorted by name (the map's order), name and
/// value percent-encoded, joined with `&`. It is also the form body sent.
fn canonicalize(params: &BTreeMap<&str, String>) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Signature version 1.0: `Base64(HMAC-SHA1(secret + "&", method + "&%2F&" +
/// percentEncode(canonicalized)))`. `params` are all request parameters but `Signature`.
fn sign(method: &str, params: &BTreeMap<&str, String>, secret: &str) -> String {
    let string_to_sign = format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&canonicalize(params))
    );
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe_regions(timestamp_name: &'static str) -> BTreeMap<&'static str, String> {
        [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            (timestamp_name, "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
    }

    /// Aliyun's worked example of signature version 1.0 (the ECS `DescribeRegions` call
    /// with AccessKey `testid` / `testsecret`, signed for GET).
    #[test]
    fn signs_alibaba_clouds_published_example() {
        assert_eq!(
            sign("GET", &describe_regions("Timestamp"), "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
        // The older ECS page spells the parameter `TimeStamp`; its published value too.
        assert_eq!(
            sign("GET", &describe_regions("TimeStamp"), "testsecret"),
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    #[test]
    fn the_string_to_sign_double_encodes_the_canonicalized_query() {
        let canonical = canonicalize(&describe_regions("Timestamp"));
        assert_eq!(
            canonical,
            "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26"
        );
        assert!(percent_encode(&canonical).contains("Timestamp%3D2016-02-23T12%253A46%253A24Z"));
    }

    #[test]
    fn percent_encoding_follows_aliyuns_rules() {
        assert_eq!(percent_encode("a b*c~d"), "a%20b%2Ac~d");
        assert_eq!(percent_encode("A-Z_a.z09"), "A-Z_a.z09");
        assert_eq!(percent_encode("+/=&"), "%2B%2F%3D%26");
        assert_eq!(percent_encode("物业"), "%E7%89%A9%E4%B8%9A");
        assert_eq!(percent_encode(r#"{"no":"3"}"#), "%7B%22no%22%3A%223%22%7D");
    }

    #[test]
    fn template_params_are_a_json_object_of_the_named_values() {
        let params = vec![
            ("no".to_owned(), "R-2".to_owned()),
            ("unit".to_owned(), "1-101".to_owned()),
        ];
        let v: serde_json::Value =
            serde_json::from_str(&template_param(&params)).expect("valid JSON");
        assert_eq!(v, serde_json::json!({"no": "R-2", "unit": "1-101"}));
    }

    #[test]
    fn answer_codes_map_to_sent_retry_or_give_up() {
        let answer = |code: &str| Answer {
            code: code.to_owned(),
            message: "m".to_owned(),
            biz_id: Some("9^0".to_owned()),
        };
        assert_eq!(outcome(answer("OK")), Ok(Some("9^0".to_owned())));
        for code in ["isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"] {
            assert_eq!(
                outcome(answer(code)),
                Err(Failure::Retry(format!("{code}: m")))
            );
        }
        for code in [
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId.NotFound",
            "isv.SOMETHING_NEW",
        ] {
            assert_eq!(
                outcome(answer(code)),
                Err(Failure::GiveUp(format!("{code}: m")))
            );
        }
    }
}
