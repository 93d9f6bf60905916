//! The pure rules of login throttling: where an attempt comes from ([`LoginSource`]), the limits
//! ([`LoginThrottle`], from the settings) and whether the recent failures hold an attempt back.
//!
//! Failures are counted per source address, per account *and* source, and per account over all
//! sources. The first two are the working limits: a stranger's guesses hold back the stranger
//! (all his guesses, and his guesses at one account sooner), never the real user typing the
//! right password on another address. The third is a last resort against guessing spread over
//! many addresses, set high enough that one address can never reach it alone. Before this, five
//! wrong passwords from anywhere locked the account for everyone: anyone could lock anyone out.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

/// Where a login attempt comes from: the client's address as the edge determined it (the TCP
/// peer, or a trusted proxy's header). An IPv6 address counts by its /64, the block one
/// subscriber is given, so rotating through it does not buy more guesses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginSource(String);

impl LoginSource {
    pub fn of_ip(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => LoginSource(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => LoginSource(v4.to_string()),
                None => {
                    let s = v6.segments();
                    LoginSource(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }

    /// The source of a request whose address is not known (an in-process call, a router served
    /// without the peer address): all such requests share one source, so they are still limited.
    pub fn unknown() -> Self {
        LoginSource("unknown".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The limits of failed logins within a sliding window; a limit of 0 is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// How far back failures count.
    pub window: Duration,
    /// Failures from one source address, whatever the accounts.
    pub per_source: i64,
    /// Failures at one account from one source address.
    pub per_account_source: i64,
    /// Failures at one account from all addresses together: the last resort, which does hold
    /// the real user back too.
    pub per_account: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            window: Duration::minutes(15),
            per_source: 20,
            per_account_source: 5,
            per_account: 100,
        }
    }
}

/// One recent failure: from the attempt's own source or not, at the attempt's own account or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentFailure {
    pub same_source: bool,
    pub same_account: bool,
    pub at: DateTime<Utc>,
}

impl LoginThrottle {
    /// Whether throttling is off altogether (every limit 0).
    pub fn is_off(&self) -> bool {
        self.per_source <= 0 && self.per_account_source <= 0 && self.per_account <= 0
    }

    /// How long an attempt must wait, given the failures of the window that concern it (its
    /// source's and its account's), or `None` when it may go ahead. The wait runs until the
    /// oldest failure of each exceeded count leaves the window, at least one second.
    pub fn wait(
        &self,
        recent: &[RecentFailure],
        now: DateTime<Utc>,
    ) -> Option<std::time::Duration> {
        let since = now - self.window;
        let counts = |pick: &dyn Fn(&RecentFailure) -> bool| {
            let hits = recent.iter().filter(|f| f.at > since && pick(f));
            let n = hits.clone().count() as i64;
            (n, hits.map(|f| f.at).min())
        };
        let checks = [
            (self.per_source, counts(&|f| f.same_source)),
            (
                self.per_account_source,
                counts(&|f| f.same_source && f.same_account),
            ),
            (self.per_account, counts(&|f| f.same_account)),
        ];
        checks
            .into_iter()
            .filter(|(limit, (n, _))| *limit > 0 && *n >= *limit)
            .map(|(_, (_, oldest))| {
                let until = oldest.unwrap_or(now) + self.window;
                (until - now).num_seconds().max(1) as u64
            })
            .max()
            .map(std::time::Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(
        now: DateTime<Utc>,
        secs_ago: i64,
        same_source: bool,
        same_account: bool,
    ) -> RecentFailure {
        RecentFailure {
            same_source,
            same_account,
            at: now - Duration::seconds(secs_ago),
        }
    }

    fn limits(per_source: i64, per_account_source: i64, per_account: i64) -> LoginThrottle {
        LoginThrottle {
            window: Duration::seconds(600),
            per_source,
            per_account_source,
            per_account,
        }
    }

    #[test]
    fn one_source_is_held_back_at_one_account_after_its_limit() {
        let now = Utc::now();
        let t = limits(10, 3, 50);
        let two: Vec<_> = (0..2).map(|i| at(now, 100 + i, true, true)).collect();
        assert_eq!(t.wait(&two, now), None);
        let three: Vec<_> = (0..3).map(|i| at(now, 100 + i, true, true)).collect();
        // The oldest failure (102 s ago) leaves the 600 s window in 498 s.
        assert_eq!(
            t.wait(&three, now),
            Some(std::time::Duration::from_secs(498))
        );
    }

    #[test]
    fn another_sources_failures_do_not_hold_back_this_one() {
        let now = Utc::now();
        let t = limits(10, 3, 50);
        // Twenty failures at this account from elsewhere: under the account's own ceiling.
        let others: Vec<_> = (0..20).map(|i| at(now, i, false, true)).collect();
        assert_eq!(t.wait(&others, now), None);
    }

    #[test]
    fn a_source_guessing_many_accounts_is_held_back() {
        let now = Utc::now();
        let t = limits(10, 3, 50);
        let spray: Vec<_> = (0..10).map(|i| at(now, 30 + i, true, false)).collect();
        assert_eq!(
            t.wait(&spray, now),
            Some(std::time::Duration::from_secs(561))
        );
        assert_eq!(t.wait(&spray[..9], now), None);
    }

    #[test]
    fn the_account_ceiling_is_the_last_resort() {
        let now = Utc::now();
        let t = limits(10, 3, 50);
        let many: Vec<_> = (0..50).map(|i| at(now, i, false, true)).collect();
        assert!(t.wait(&many, now).is_some());
        assert_eq!(limits(10, 3, 0).wait(&many, now), None, "0 is off");
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let now = Utc::now();
        let t = limits(10, 3, 50);
        let old: Vec<_> = (0..5).map(|i| at(now, 600 + i, true, true)).collect();
        assert_eq!(t.wait(&old, now), None);
        assert!(
            LoginThrottle {
                per_source: 0,
                per_account_source: 0,
                per_account: 0,
                ..t
            }
            .is_off()
        );
    }

    #[test]
    fn sources_are_addresses_and_ipv6_counts_by_its_64() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(LoginSource::of_ip(v4).as_str(), "203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(LoginSource::of_ip(mapped).as_str(), "203.0.113.7");
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(LoginSource::of_ip(a), LoginSource::of_ip(b));
        assert_eq!(LoginSource::of_ip(a).as_str(), "2001:db8:1:2::/64");
        assert_eq!(LoginSource::unknown().as_str(), "unknown");
    }
}
