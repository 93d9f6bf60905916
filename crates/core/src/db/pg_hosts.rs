//! Multi-host PostgreSQL URLs, as libpq reads them and `pg_autoctl show uri` prints them:
//! `postgres://app:pw@10.0.0.1:5432,10.0.0.2:5432/app?target_session_attrs=read-write`.
//!
//! sqlx's `PgConnectOptions` holds one host and ignores `target_session_attrs`, so the URL is
//! split here into one `PgConnectOptions` per host (each parsed by sqlx from a one-host URL, so
//! percent-decoding and every other parameter behave exactly as for a plain URL), and the
//! wanted kind of server is kept beside them. Finding that server and following it after a
//! failover is `follow`'s job.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::shared::error::{CoreError, CoreResult};

/// libpq's default port, for a host written without one.
const DEFAULT_PORT: u16 = 5432;

/// Which server a connection may land on (libpq's `target_session_attrs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAttrs {
    /// The first server that answers (libpq's default).
    Any,
    /// A server that accepts writes (`transaction_read_only` off).
    ReadWrite,
    /// A server that refuses writes.
    ReadOnly,
    /// A server not in recovery.
    Primary,
    /// A server in recovery (a hot standby).
    Standby,
    /// A standby when one answers, else any server.
    PreferStandby,
}

impl SessionAttrs {
    fn parse(s: &str) -> CoreResult<Self> {
        Ok(match s {
            "any" => Self::Any,
            "read-write" => Self::ReadWrite,
            "read-only" => Self::ReadOnly,
            "primary" => Self::Primary,
            "standby" => Self::Standby,
            "prefer-standby" => Self::PreferStandby,
            other => {
                return Err(CoreError::internal(format!(
                    "target_session_attrs={other} is not one of any, read-write, read-only, \
                     primary, standby, prefer-standby"
                )));
            }
        })
    }

    /// Whether a server in this state is acceptable on a strict pass (`PreferStandby`'s
    /// fallback to any server is the caller's second pass).
    pub fn accepts(self, in_recovery: bool, read_only: bool) -> bool {
        match self {
            Self::Any => true,
            Self::ReadWrite => !read_only,
            Self::ReadOnly => read_only,
            Self::Primary => !in_recovery,
            Self::Standby | Self::PreferStandby => in_recovery,
        }
    }

    /// Whether a connection must be checked after it opens: only `any` takes whatever answers.
    pub fn needs_check(self) -> bool {
        self != Self::Any
    }
}

/// One host of the list, with its ready-made connect options.
#[derive(Debug, Clone)]
pub struct PgHost {
    /// `host:port`, for logs and error messages (never the password).
    pub label: String,
    pub options: PgConnectOptions,
}

/// A parsed PostgreSQL URL: its hosts in the order given, and the kind of server wanted.
#[derive(Debug, Clone)]
pub struct PgHosts {
    pub hosts: Vec<PgHost>,
    pub attrs: SessionAttrs,
}

impl PgHosts {
    /// Parses a `postgres://` or `postgresql://` URL with one or several hosts.
    pub fn parse(url: &str) -> CoreResult<Self> {
        let (scheme, rest) = url
            .split_once("://")
            .filter(|(s, _)| *s == "postgres" || *s == "postgresql")
            .ok_or_else(|| CoreError::internal("not a postgres:// URL"))?;
        let (authority, tail) = match rest.find(['/', '?', '#']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        // The password may hold a percent-encoded `@`, never a bare one after the last.
        let (userinfo, hostlist) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (tail, None),
        };
        let mut attrs = SessionAttrs::Any;
        let mut ports_param: Vec<&str> = Vec::new();
        let mut kept = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "target_session_attrs" => attrs = SessionAttrs::parse(v)?,
                // libpq's `port=5432,5433` gives each host its port (one value: all of them);
                // sqlx would apply it to every host, so it is resolved here.
                "port" => ports_param = v.split(',').collect(),
                _ => kept.push(pair),
            }
        }
        let query = if kept.is_empty() {
            String::new()
        } else {
            format!("?{}", kept.join("&"))
        };
        let userinfo = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
        let names: Vec<&str> = hostlist.split(',').collect();
        if names.len() > 1 && names.iter().any(|h| h.is_empty()) {
            return Err(CoreError::internal("an empty host in the URL's host list"));
        }
        let mut hosts = Vec::with_capacity(names.len());
        for (i, spec) in names.iter().enumerate() {
            let (host, port) = split_host_port(spec)?;
            let default = match ports_param.as_slice() {
                [] => None,
                [one] => Some(*one),
                many => many.get(i).copied(),
            };
            let port = match (port, default) {
                (Some(p), _) => p,
                (None, Some(p)) if !p.is_empty() => parse_port(p)?,
                (None, _) => DEFAULT_PORT,
            };
            let one = if host.is_empty() {
                // No host: sqlx's defaults (a `host=` parameter, PGHOST, the socket) apply.
                format!("{scheme}://{userinfo}{path}{query}")
            } else {
                format!("{scheme}://{userinfo}{host}:{port}{path}{query}")
            };
            let options = PgConnectOptions::from_str(&one)?;
            hosts.push(PgHost {
                label: format!("{}:{}", options.get_host(), options.get_port()),
                options,
            });
        }
        Ok(Self { hosts, attrs })
    }

    /// The parsed URL when it needs more than sqlx gives (several hosts, or a kind of server
    /// to check); `None` for a plain one-host URL, which is left to sqlx untouched.
    pub fn parse_if_needed(url: &str) -> CoreResult<Option<Self>> {
        let authority = url
            .split_once("://")
            .map_or("", |(_, r)| r.split(['/', '?', '#']).next().unwrap_or(""));
        let hostlist = authority.rsplit('@').next().unwrap_or("");
        if !hostlist.contains(',') && !url.contains("target_session_attrs") {
            return Ok(None);
        }
        let hosts = Self::parse(url)?;
        Ok(hosts.needs_follow().then_some(hosts))
    }

    /// Whether this URL needs more than sqlx gives: several hosts, or a kind of server to check.
    pub fn needs_follow(&self) -> bool {
        self.hosts.len() > 1 || self.attrs.needs_check()
    }

    /// The hosts, for messages: `127.0.0.1:5432, 127.0.0.1:5433`.
    pub fn labels(&self) -> String {
        self.hosts
            .iter()
            .map(|h| h.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(spec: &str) -> CoreResult<(&str, Option<u16>)> {
    if spec.starts_with('[') {
        let end = spec
            .find(']')
            .ok_or_else(|| CoreError::internal(format!("unclosed '[' in host {spec}")))?;
        let (host, rest) = spec.split_at(end + 1);
        return match rest.strip_prefix(':') {
            Some(p) => Ok((host, Some(parse_port(p)?))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(CoreError::internal(format!("bad host {spec}"))),
        };
    }
    match spec.rsplit_once(':') {
        Some((h, "")) => Ok((h, None)),
        Some((h, p)) => Ok((h, Some(parse_port(p)?))),
        None => Ok((spec, None)),
    }
}

fn parse_port(p: &str) -> CoreResult<u16> {
    p.parse::<u16>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CoreError::internal(format!("bad port {p:?} in the database URL")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::ConnectOptions;
    use sqlx::postgres::PgSslMode;

    fn hosts(url: &str) -> PgHosts {
        PgHosts::parse(url).expect(url)
    }

    /// The password as sqlx holds it (it has no getter): compared through sqlx's own URL of an
    /// option set given the expected password in clear.
    fn password_is(o: &PgConnectOptions, clear: &str) -> bool {
        let want = PgConnectOptions::new_without_pgpass().password(clear);
        o.to_url_lossy().password() == want.to_url_lossy().password()
    }

    #[test]
    fn the_uri_pg_autoctl_prints_gives_two_hosts_and_read_write() {
        let h = hosts(
            "postgres://app:app@127.0.0.1:55451,127.0.0.1:55452/app?target_session_attrs=read-write",
        );
        assert_eq!(h.attrs, SessionAttrs::ReadWrite);
        assert_eq!(h.labels(), "127.0.0.1:55451, 127.0.0.1:55452");
        for o in h.hosts.iter().map(|h| &h.options) {
            assert_eq!(o.get_username(), "app");
            assert_eq!(o.get_database(), Some("app"));
        }
        assert!(password_is(&h.hosts[1].options, "app"));
        assert!(h.needs_follow());
    }

    #[test]
    fn a_host_without_a_port_gets_5432_or_the_port_parameter() {
        let h = hosts("postgresql://u@db1,db2:6000,[::1]/x");
        let got: Vec<_> = h
            .hosts
            .iter()
            .map(|h| (h.options.get_host().to_string(), h.options.get_port()))
            .collect();
        assert_eq!(
            got,
            [
                ("db1".to_string(), 5432),
                ("db2".to_string(), 6000),
                ("[::1]".to_string(), 5432)
            ]
        );
        assert_eq!(h.attrs, SessionAttrs::Any);
        let h = hosts("postgres://u@a,b/x?port=7000");
        assert_eq!(h.hosts[0].options.get_port(), 7000);
        assert_eq!(h.hosts[1].options.get_port(), 7000);
        let h = hosts("postgres://u@a,b/x?port=7000,7001");
        assert_eq!(h.hosts[1].options.get_port(), 7001);
    }

    #[test]
    fn a_percent_encoded_password_is_decoded_once() {
        let h = hosts("postgres://app:p%40ss%2Fw%3Ad@h1:1,h2:2/app");
        for o in h.hosts.iter().map(|h| &h.options) {
            assert!(password_is(o, "p@ss/w:d"));
            assert!(!password_is(o, "p%40ss%2Fw%3Ad"));
            assert_eq!(o.get_username(), "app");
        }
    }

    #[test]
    fn other_parameters_are_kept_and_target_session_attrs_is_not_passed_on() {
        let h = hosts(
            "postgres://u:p@h1:1,h2:2/db?sslmode=disable&target_session_attrs=any&application_name=wuye",
        );
        assert_eq!(h.attrs, SessionAttrs::Any);
        for o in h.hosts.iter().map(|h| &h.options) {
            assert!(matches!(o.get_ssl_mode(), PgSslMode::Disable));
            assert_eq!(o.get_application_name(), Some("wuye"));
            assert_eq!(o.get_database(), Some("db"));
        }
        // `any` over several hosts still needs the list walked when one is down.
        assert!(h.needs_follow());
    }

    #[test]
    fn a_single_host_without_attrs_needs_nothing_more_than_sqlx() {
        let h = hosts("postgres://app:app@127.0.0.1:55432/app");
        assert!(!h.needs_follow());
        let h = hosts("postgres://app:app@127.0.0.1:55432/app?target_session_attrs=any");
        assert!(!h.needs_follow());
        let h = hosts("postgres://app:app@127.0.0.1:55432/app?target_session_attrs=primary");
        assert!(h.needs_follow());
    }

    #[test]
    fn a_plain_url_is_left_to_sqlx() {
        for url in [
            "postgres://app:app@127.0.0.1:55432/app",
            "postgres:///app?host=/var/run/postgresql",
            "postgresql://u:p%2Cq@h/db?sslmode=disable",
            "postgres://app@h/app?target_session_attrs=any",
        ] {
            assert!(PgHosts::parse_if_needed(url).expect(url).is_none(), "{url}");
        }
        let multi = "postgres://app@h1,h2/app";
        assert!(PgHosts::parse_if_needed(multi).expect(multi).is_some());
    }

    #[test]
    fn bad_urls_are_refused() {
        for url in [
            "mysql://u@h/db",
            "postgres://u@h1:x,h2/db",
            "postgres://u@h1:0/db",
            "postgres://u@h1,,h2/db",
            "postgres://u@[::1/db",
            "postgres://u@h1,h2/db?target_session_attrs=writable",
        ] {
            assert!(PgHosts::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn attrs_accept_the_servers_libpq_would() {
        use SessionAttrs::*;
        // (in_recovery, read_only): a primary, a standby.
        assert!(ReadWrite.accepts(false, false));
        assert!(!ReadWrite.accepts(true, true));
        assert!(Primary.accepts(false, false) && !Primary.accepts(true, true));
        assert!(Standby.accepts(true, true) && !Standby.accepts(false, false));
        assert!(ReadOnly.accepts(true, true));
        assert!(Any.accepts(true, true) && Any.accepts(false, false));
    }
}
