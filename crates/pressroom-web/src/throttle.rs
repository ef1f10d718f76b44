//! Sign-in throttling, per account (the email typed) and per client address. Each key gets a
//! few free failures; after that every failure locks the key for a delay that doubles each
//! time (up to a cap), and while a key is locked sign-in answers 429 with `Retry-After`
//! without checking the password, so guessing costs no hashing either.
//!
//! The counters live in this process's memory: they reset when the server restarts and are
//! not shared between `serve` processes. Several processes behind one load balancer each
//! allow their own free failures; the doubling still makes guessing slow.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How hard sign-in failures are throttled.
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// Failures an email may have before it is locked.
    pub free_failures_per_email: u32,
    /// Failures a client address may have (over all emails) before it is locked; higher than
    /// per email because an office may share one address.
    pub free_failures_per_address: u32,
    /// The first lock; each further failure doubles it.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A key's failures are forgotten this long after its last one.
    pub forget_after: Duration,
    /// Keys remembered at most; beyond this the stalest are dropped.
    pub max_keys: usize,
}

impl Default for ThrottleConfig {
    fn default() -> ThrottleConfig {
        ThrottleConfig {
            free_failures_per_email: 5,
            free_failures_per_address: 20,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(3600),
            max_keys: 100_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    Addr(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
pub struct LoginThrottle {
    config: ThrottleConfig,
    keys: Mutex<HashMap<Key, Entry>>,
}

/// The email as the store looks it up, so `A@x.com` and ` a@x.com` share a counter.
fn email_key(email: &str) -> Key {
    Key::Email(email.trim().to_lowercase())
}

fn keys(email: &str, addr: Option<IpAddr>) -> Vec<Key> {
    let mut k = vec![email_key(email)];
    k.extend(addr.map(Key::Addr));
    k
}

impl LoginThrottle {
    pub fn new(config: ThrottleConfig) -> LoginThrottle {
        LoginThrottle {
            config,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // A poisoned lock only means a panic mid-update; the counters are still usable.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Err(wait)` while the email or the address is locked.
    pub fn check(&self, email: &str, addr: Option<IpAddr>) -> Result<(), Duration> {
        self.check_at(Instant::now(), email, addr)
    }

    pub fn check_at(
        &self,
        now: Instant,
        email: &str,
        addr: Option<IpAddr>,
    ) -> Result<(), Duration> {
        let map = self.map();
        let wait = keys(email, addr)
            .iter()
            .filter_map(|k| map.get(k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(w) => Err(w),
            None => Ok(()),
        }
    }

    /// Records a failed sign-in against the email and the address.
    pub fn failed(&self, email: &str, addr: Option<IpAddr>) {
        self.failed_at(Instant::now(), email, addr)
    }

    pub fn failed_at(&self, now: Instant, email: &str, addr: Option<IpAddr>) {
        let c = &self.config;
        let mut map = self.map();
        for key in keys(email, addr) {
            let free = match key {
                Key::Email(_) => c.free_failures_per_email,
                Key::Addr(_) => c.free_failures_per_address,
            };
            if !map.contains_key(&key) && map.len() >= c.max_keys {
                make_room(&mut map, now, c);
            }
            let e = map.entry(key).or_insert(Entry {
                failures: 0,
                last: now,
                locked_until: None,
            });
            if now.duration_since(e.last) > c.forget_after {
                e.failures = 0;
            }
            e.failures = e.failures.saturating_add(1);
            e.last = now;
            if e.failures >= free {
                let doublings = (e.failures - free).min(30);
                let delay = c.base_delay.saturating_mul(1 << doublings).min(c.max_delay);
                e.locked_until = Some(now + delay);
            }
        }
    }

    /// A successful sign-in clears the email's failures (not the address's: one valid
    /// account must not reset a guesser's count).
    pub fn succeeded(&self, email: &str) {
        self.map().remove(&email_key(email));
    }
}

/// Drops forgotten keys; if every key is still live, drops the one whose last failure is oldest.
fn make_room(map: &mut HashMap<Key, Entry>, now: Instant, c: &ThrottleConfig) {
    map.retain(|_, e| {
        now.duration_since(e.last) <= c.forget_after || e.locked_until.is_some_and(|u| u > now)
    });
    if map.len() >= c.max_keys
        && let Some(oldest) = map
            .iter()
            .min_by_key(|(_, e)| e.last)
            .map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(max_keys: usize) -> LoginThrottle {
        LoginThrottle::new(ThrottleConfig {
            free_failures_per_email: 3,
            free_failures_per_address: 5,
            base_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(60),
            forget_after: Duration::from_secs(600),
            max_keys,
        })
    }

    const IP: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn an_email_locks_after_its_free_failures_with_a_doubling_delay() {
        let t = throttle(100);
        let t0 = Instant::now();
        for _ in 0..2 {
            t.failed_at(t0, "A@example.com", None);
            assert_eq!(t.check_at(t0, "a@example.com", None), Ok(()));
        }
        t.failed_at(t0, " a@example.com", None);
        assert_eq!(t.check_at(t0, "a@example.com", None), Err(s(10)));
        // Another email is not affected.
        assert_eq!(t.check_at(t0, "b@example.com", None), Ok(()));
        assert_eq!(t.check_at(t0 + s(10), "a@example.com", None), Ok(()));
        t.failed_at(t0 + s(10), "a@example.com", None);
        assert_eq!(t.check_at(t0 + s(10), "a@example.com", None), Err(s(20)));
        t.failed_at(t0 + s(30), "a@example.com", None);
        t.failed_at(t0 + s(30), "a@example.com", None);
        // Capped.
        assert_eq!(t.check_at(t0 + s(30), "a@example.com", None), Err(s(60)));
        // Success clears it.
        t.succeeded("a@example.com");
        assert_eq!(t.check_at(t0 + s(30), "a@example.com", None), Ok(()));
    }

    #[test]
    fn an_address_locks_across_emails_and_failures_are_forgotten() {
        let t = throttle(100);
        let t0 = Instant::now();
        for i in 0..5 {
            assert_eq!(t.check_at(t0, &format!("u{i}@example.com"), IP), Ok(()));
            t.failed_at(t0, &format!("u{i}@example.com"), IP);
        }
        assert_eq!(t.check_at(t0, "new@example.com", IP), Err(s(10)));
        assert_eq!(t.check_at(t0, "new@example.com", None), Ok(()));
        // A success does not clear the address.
        t.succeeded("new@example.com");
        assert_eq!(t.check_at(t0, "new@example.com", IP), Err(s(10)));
        // Long after, one failure starts the count afresh.
        let later = t0 + s(611);
        t.failed_at(later, "u0@example.com", IP);
        assert_eq!(t.check_at(later, "u0@example.com", IP), Ok(()));
    }

    #[test]
    fn memory_is_bounded_by_dropping_the_stalest_keys() {
        let t = throttle(4);
        let t0 = Instant::now();
        for i in 0..10u64 {
            t.failed_at(t0 + s(i), &format!("u{i}@example.com"), None);
        }
        let map = t.map();
        assert_eq!(map.len(), 4);
        assert!(map.contains_key(&email_key("u9@example.com")));
        assert!(!map.contains_key(&email_key("u0@example.com")));
    }
}
