//! Rate limits per (provider, account): requests per minute (a token bucket) and requests in
//! flight (a semaphore). One [`Limits`] per process, shared by every task through an `Arc`, so
//! fifty concurrent image jobs of one account still respect that account's provider limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitConfig {
    /// Requests per minute; `None` for no rate limit.
    pub rpm: Option<u32>,
    /// Burst allowed by the token bucket; `None` picks rpm/20 (at least 1), so a client never
    /// sends a whole minute's allowance at once.
    pub burst: Option<u32>,
    pub max_in_flight: usize,
}

impl LimitConfig {
    pub fn new(rpm: Option<u32>, max_in_flight: usize) -> LimitConfig {
        LimitConfig {
            rpm,
            burst: None,
            max_in_flight,
        }
    }
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig::new(Some(60), 4)
    }
}

/// Who a limit applies to: a provider service (`openai-chat`, `openai-images`, `runware`,
/// `offline`) and an account id (0 for the local single-user setup).
pub type LimitKey = (String, i64);

#[derive(Default)]
pub struct Limits {
    defaults: Mutex<HashMap<String, LimitConfig>>,
    overrides: Mutex<HashMap<LimitKey, LimitConfig>>,
    limiters: Mutex<HashMap<LimitKey, Arc<Limiter>>>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits { .. }")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps hold plain values; a panic elsewhere cannot leave them half-written.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Limits {
    /// Limits with Pressroom's defaults per service (conservative first-tier values).
    pub fn new() -> Arc<Limits> {
        let l = Limits::default();
        {
            let mut d = lock(&l.defaults);
            d.insert("openai-chat".into(), LimitConfig::new(Some(500), 8));
            d.insert("openai-images".into(), LimitConfig::new(Some(50), 4));
            d.insert("runware".into(), LimitConfig::new(Some(300), 8));
            let cores = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2);
            d.insert("offline".into(), LimitConfig::new(None, cores));
        }
        Arc::new(l)
    }

    /// Sets the default for a service; applies to limiters created afterwards.
    pub fn set_default(&self, service: &str, config: LimitConfig) {
        lock(&self.defaults).insert(service.to_string(), config);
    }

    /// Sets the limit for one account of a service, replacing its limiter (calls holding
    /// permits of the old one finish under the old limit).
    pub fn set(&self, service: &str, account: i64, config: LimitConfig) {
        let key = (service.to_string(), account);
        lock(&self.overrides).insert(key.clone(), config);
        lock(&self.limiters).insert(key, Arc::new(Limiter::new(config)));
    }

    pub fn limiter(&self, service: &str, account: i64) -> Arc<Limiter> {
        let key = (service.to_string(), account);
        let mut limiters = lock(&self.limiters);
        if let Some(l) = limiters.get(&key) {
            return l.clone();
        }
        let config = lock(&self.overrides)
            .get(&key)
            .copied()
            .or_else(|| lock(&self.defaults).get(service).copied())
            .unwrap_or_default();
        let l = Arc::new(Limiter::new(config));
        limiters.insert(key, l.clone());
        l
    }
}

/// One (service, account)'s limiter.
pub struct Limiter {
    config: LimitConfig,
    in_flight: Arc<Semaphore>,
    bucket: Option<Mutex<Bucket>>,
}

struct Bucket {
    /// May go negative: each waiter reserves a token and sleeps until it has accrued.
    tokens: f64,
    capacity: f64,
    per_sec: f64,
    last: Instant,
}

/// Held while a request is in flight; dropping it frees the slot.
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

impl Limiter {
    pub fn new(config: LimitConfig) -> Limiter {
        let bucket = config.rpm.filter(|&r| r > 0).map(|rpm| {
            let capacity = config.burst.unwrap_or(rpm / 20).max(1) as f64;
            Mutex::new(Bucket {
                tokens: capacity,
                capacity,
                per_sec: rpm as f64 / 60.0,
                last: Instant::now(),
            })
        });
        Limiter {
            config,
            in_flight: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            bucket,
        }
    }

    pub fn config(&self) -> LimitConfig {
        self.config
    }

    /// Waits for a free in-flight slot, then for a rate token. The slot is taken first so the
    /// request goes out right when its token is granted.
    pub async fn acquire(&self) -> Permit {
        // The semaphore is never closed, so acquiring can only fail if that changes.
        let slot = match self.in_flight.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => unreachable!("limiter semaphore is never closed"),
        };
        if let Some(wait) = self.reserve_token() {
            tokio::time::sleep(wait).await;
        }
        Permit { _slot: slot }
    }

    /// Takes one token, returning how long to wait until it exists.
    fn reserve_token(&self) -> Option<Duration> {
        let bucket = self.bucket.as_ref()?;
        let mut b = bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.last = now;
        b.tokens = (b.tokens + elapsed * b.per_sec).min(b.capacity);
        b.tokens -= 1.0;
        (b.tokens < 0.0).then(|| Duration::from_secs_f64(-b.tokens / b.per_sec))
    }

    /// Requests currently in flight.
    pub fn in_flight(&self) -> usize {
        self.config.max_in_flight.max(1) - self.in_flight.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn in_flight_is_bounded_across_tasks() {
        let limits = Limits::new();
        limits.set("svc", 7, LimitConfig::new(None, 3));
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (limits, now, peak) = (limits.clone(), now.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                let _p = limits.limiter("svc", 7).acquire().await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                now.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 3);
        // Another account has its own limiter.
        assert_eq!(limits.limiter("svc", 8).config().max_in_flight, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_per_minute_are_spaced() {
        let l = Limiter::new(LimitConfig {
            rpm: Some(60),
            burst: Some(1),
            max_in_flight: 10,
        });
        let start = Instant::now();
        for _ in 0..4 {
            drop(l.acquire().await);
        }
        // One token at once, then one per second: the 4th waits ~3 s of (virtual) time.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(2990), "{took:?}");
        assert!(took < Duration::from_millis(3500), "{took:?}");
    }
}
