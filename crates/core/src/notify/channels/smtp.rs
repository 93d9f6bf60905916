//! E-mail over SMTP with lettre: host, port, TLS mode and credentials are settings
//! (`WUYE_SMTP_*`). Connections are pooled, so a burst of messages does not open one each.
//!
//! Each message carries a Message-ID made from its outbox id: when a worker dies between the
//! server's "250 OK" and recording the message sent, the next worker sends it again under the
//! same Message-ID, which mail stores use to keep one copy (docs/notifications.md).

use std::time::Duration;

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::{Failure, Outgoing, Secret, Sent};

/// How long one exchange with the server may take.
const TIMEOUT: Duration = Duration::from_secs(20);

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

/// The connections are lettre's, kept in a pool of our own: lettre's transport opens its TCP
/// connections without `TCP_NODELAY`, and it writes a message's final `.` apart from its body, so
/// Nagle's algorithm holds that dot until the server's delayed ACK — about 40 ms a message.
pub struct Smtp {
    settings: SmtpSettings,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: tokio::sync::Mutex<Vec<AsyncSmtpConnection>>,
    from: Mailbox,
    domain: String,
}

fn failure(e: lettre::transport::smtp::Error) -> Failure {
    if e.is_permanent() {
        Failure::GiveUp(format!("smtp: {e}"))
    } else {
        Failure::Retry(format!("smtp: {e}"))
    }
}

impl Smtp {
    /// A channel for `s`; an unparsable sender or TLS setup is a message naming the setting.
    pub fn new(s: &SmtpSettings) -> Result<Smtp, String> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("WUYE_SMTP_FROM={}: not an address ({e})", s.from))?;
        let tls = match s.tls {
            TlsMode::None => None,
            TlsMode::StartTls | TlsMode::Tls => Some(
                TlsParameters::new(s.host.clone()).map_err(|e| format!("WUYE_SMTP_TLS: {e}"))?,
            ),
        };
        let domain = from.email.domain().to_string();
        Ok(Smtp {
            settings: s.clone(),
            tls,
            credentials: s
                .username
                .as_ref()
                .map(|u| Credentials::new(u.clone(), s.password.0.clone())),
            hello: ClientId::default(),
            idle: tokio::sync::Mutex::new(Vec::new()),
            from,
            domain,
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let s = &self.settings;
        let mut conn = if s.tls == TlsMode::Tls {
            AsyncSmtpConnection::connect_tokio1(
                (s.host.as_str(), s.port),
                Some(TIMEOUT),
                &self.hello,
                self.tls.clone(),
                None,
            )
            .await
            .map_err(failure)?
        } else {
            let tcp = tokio::time::timeout(
                TIMEOUT,
                tokio::net::TcpStream::connect((s.host.as_str(), s.port)),
            )
            .await
            .map_err(|_| Failure::Retry("smtp: connection timed out".into()))?
            .map_err(|e| Failure::Retry(format!("smtp: {e}")))?;
            let _ = tcp.set_nodelay(true);
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                .await
                .map_err(failure)?;
            if let (TlsMode::StartTls, Some(p)) = (s.tls, &self.tls) {
                conn.starttls(p.clone(), &self.hello)
                    .await
                    .map_err(failure)?;
            }
            conn
        };
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .await
                .map_err(failure)?;
        }
        Ok(conn)
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
        let envelope = email.envelope();
        let bytes = email.formatted();
        // A pooled connection the server has since closed fails at once: try a fresh one.
        let pooled = self.idle.lock().await.pop();
        if let Some(conn) = pooled {
            match self.send_on(conn, envelope, &bytes).await {
                Err(Failure::Retry(_)) => {}
                answer => return answer,
            }
        }
        let conn = self.connect().await?;
        self.send_on(conn, envelope, &bytes).await
    }

    async fn send_on(
        &self,
        mut conn: AsyncSmtpConnection,
        envelope: &lettre::address::Envelope,
        bytes: &[u8],
    ) -> Sent {
        let answer = match tokio::time::timeout(TIMEOUT, conn.send(envelope, bytes)).await {
            Ok(Ok(r)) => Ok(r.message().next().map(str::to_string)),
            Ok(Err(e)) => Err(failure(e)),
            Err(_) => Err(Failure::Retry(
                "smtp: the server did not answer in time".into(),
            )),
        };
        // A connection that answered stays for the next message; a broken one is dropped. No
        // wait here: the worker records the answer the moment it has it.
        if answer.is_ok()
            && !conn.has_broken()
            && let Ok(mut idle) = self.idle.try_lock()
            && idle.len() < self.settings.pool.max(1) as usize
        {
            idle.push(conn);
        }
        answer
    }
}
