//! E-mail over SMTP with lettre: host, port, TLS mode and credentials are settings
//! (`WUYE_SMTP_*`). Connections are pooled, so a burst of messages does not open one each.
//!
//! Each message carries a Message-ID made from its outbox id: when a worker dies between the
//! server's "250 OK" and recording the message sent, the next worker sends it again under the
//! same Message-ID, which mail stores use to keep one copy (docs/notifications.md).

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Failure, Outgoing, Secret, Sent};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: a relay on the same host or a test sink.
    None,
    /// STARTTLS, required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<TlsMode> {
        match s {
            "none" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::StartTls),
            "tls" => Some(TlsMode::Tls),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Secret,
    /// The sender, e.g. `阳光物业 <notice@example.com>`.
    pub from: String,
    /// Connections kept open to the server.
    pub pool: u32,
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl Smtp {
    /// A transport for `s`; an unparsable sender or TLS setup is a message naming the setting.
    pub fn new(s: &SmtpSettings) -> Result<Smtp, String> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("WUYE_SMTP_FROM={}: not an address ({e})", s.from))?;
        let tls = match s.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls | TlsMode::Tls => {
                let p = TlsParameters::new(s.host.clone())
                    .map_err(|e| format!("WUYE_SMTP_TLS: {e}"))?;
                if s.tls == TlsMode::Tls {
                    Tls::Wrapper(p)
                } else {
                    Tls::Required(p)
                }
            }
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
            .port(s.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(s.pool.max(1)));
        if let Some(user) = &s.username {
            b = b.credentials(Credentials::new(user.clone(), s.password.0.clone()));
        }
        let domain = from.email.domain().to_string();
        Ok(Smtp {
            transport: b.build(),
            from,
            domain,
        })
    }

    /// The Message-ID of outbox message `id`: the same on every try.
    pub fn message_id(&self, id: i64) -> String {
        format!("<outbox-{id}@{}>", self.domain)
    }

    pub async fn send(&self, m: &Outgoing<'_>) -> Sent {
        let to: Mailbox =
            m.to.parse()
                .map_err(|e| Failure::GiveUp(format!("bad address: {e}")))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject)
            .message_id(Some(self.message_id(m.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.to_string())
            .map_err(|e| Failure::GiveUp(format!("message: {e}")))?;
        match self.transport.send(email).await {
            Ok(r) => Ok(r.message().next().map(str::to_string)),
            Err(e) if e.is_permanent() => Err(Failure::GiveUp(format!("smtp: {e}"))),
            Err(e) => Err(Failure::Retry(format!("smtp: {e}"))),
        }
    }
}
