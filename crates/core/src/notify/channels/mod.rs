//! The channels a message leaves by, beside the in-app inbox (which is a row written with the
//! event itself): e-mail over SMTP, SMS through Aliyun or Tencent Cloud, WeChat official-account
//! template messages. The outbox worker hands each due message to [`Channels::send`]; a channel
//! answers sent (with the provider's id), retry later (the provider or the network said "not
//! now") or give up (the provider will never take it: a bad number, a bad template). Modules
//! never call a channel: they write the outbox.

pub mod aliyun;
pub mod http;
pub mod smtp;
pub mod tencent;
pub mod wechat;

/// One message to one address on one channel.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The outbox row's id: a stable message id, and the provider's caller reference (Aliyun's
    /// `OutId`, Tencent's `SessionContext`).
    pub id: i64,
    /// An e-mail address, a phone number (11 digits, mainland China) or a WeChat openid.
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The event's code (`request_done`, …): the key of the provider's template id.
    pub event: &'a str,
    /// The event's placeholders in the order the template declares them (Tencent's templates
    /// take positional values, Aliyun's and WeChat's named ones).
    pub params: &'a [(String, String)],
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Try again later: the server is down, a rate limit, a token that expired.
    Retry(String),
    /// Never: the provider refused the number, the template or the signature.
    GiveUp(String),
}

impl Failure {
    pub fn reason(&self) -> &str {
        match self {
            Failure::Retry(r) | Failure::GiveUp(r) => r,
        }
    }
}

/// What a provider answered for a message it took: its own id of the message, for the record.
pub type Sent = Result<Option<String>, Failure>;

/// An endpoint or region setting as the adapters use it: `default` when empty, no trailing `/`.
pub(crate) fn setting_or(value: &str, default: &str) -> String {
    let v = value.trim().trim_end_matches('/');
    if v.is_empty() { default } else { v }.to_owned()
}

/// The provider's template id of `event`; none is a message the provider can never take.
pub(crate) fn template_for<'a>(
    templates: &'a std::collections::HashMap<String, String>,
    event: &str,
    channel: &str,
) -> Result<&'a String, Failure> {
    templates
        .get(event)
        .ok_or_else(|| Failure::GiveUp(format!("no {channel} template for event {event}")))
}

/// A secret setting: never printed.
#[derive(Clone, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Which outside channels this server is set up for (`WUYE_SMTP_*`, `WUYE_SMS_*`,
/// `WUYE_WECHAT_*`); one left out is not offered, and nobody is queued a message on it.
#[derive(Debug, Clone, Default)]
pub struct ChannelSettings {
    pub smtp: Option<smtp::SmtpSettings>,
    pub sms: Option<SmsSettings>,
    pub wechat: Option<wechat::WechatSettings>,
}

/// The SMS provider: one at a time.
#[derive(Debug, Clone)]
pub enum SmsSettings {
    Aliyun(aliyun::AliyunSettings),
    Tencent(tencent::TencentSettings),
}

enum Sms {
    Aliyun(aliyun::Aliyun),
    Tencent(tencent::Tencent),
}

/// The live channels of a node.
#[derive(Default)]
pub struct Channels {
    email: Option<smtp::Smtp>,
    sms: Option<Sms>,
    wechat: Option<wechat::Wechat>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("email", &self.email.is_some())
            .field("sms", &self.sms.is_some())
            .field("wechat", &self.wechat.is_some())
            .finish()
    }
}

impl Channels {
    /// The channels of `s`. An SMTP setting that cannot work (a sender that is no address) is
    /// refused with a message naming it; `serve` checks this before it starts.
    pub fn new(s: &ChannelSettings) -> Result<Channels, String> {
        Ok(Channels {
            email: s.smtp.as_ref().map(smtp::Smtp::new).transpose()?,
            sms: s.sms.as_ref().map(|s| match s {
                SmsSettings::Aliyun(a) => Sms::Aliyun(aliyun::Aliyun::new(a.clone())),
                SmsSettings::Tencent(t) => Sms::Tencent(tencent::Tencent::new(t.clone())),
            }),
            wechat: s.wechat.clone().map(wechat::Wechat::new),
        })
    }

    /// Whether a message of `event` can go out on `channel`: the channel is set up and, for SMS
    /// and WeChat, the provider has a template for the event.
    pub fn offers(&self, channel: super::model::Channel, event: &str) -> bool {
        use super::model::Channel as C;
        match channel {
            C::Email => self.email.is_some(),
            C::Sms => match &self.sms {
                Some(Sms::Aliyun(a)) => a.has_template(event),
                Some(Sms::Tencent(t)) => t.has_template(event),
                None => false,
            },
            C::Wechat => self.wechat.as_ref().is_some_and(|w| w.has_template(event)),
        }
    }

    pub async fn send(&self, channel: super::model::Channel, m: &Outgoing<'_>) -> Sent {
        use super::model::Channel as C;
        let off = || {
            Err(Failure::Retry(format!(
                "{} is not set up on this node",
                channel.code()
            )))
        };
        match channel {
            C::Email => match &self.email {
                Some(s) => s.send(m).await,
                None => off(),
            },
            C::Sms => match &self.sms {
                Some(Sms::Aliyun(a)) => a.send(m).await,
                Some(Sms::Tencent(t)) => t.send(m).await,
                None => off(),
            },
            C::Wechat => match &self.wechat {
                Some(w) => w.send(m).await,
                None => off(),
            },
        }
    }
}
