//! The server's shared state, the per-request bookkeeping behind `GET /__stats`, and ids.

use crate::config::{MockConfig, Stats, Step};
use axum::body::Bytes;
use axum::response::Response;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub(crate) struct Inner {
    pub(crate) config: MockConfig,
    pub(crate) base_url: String,
    pub(crate) script: Mutex<VecDeque<Step>>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) in_flight: Mutex<HashMap<&'static str, u64>>,
    pub(crate) bucket: Option<Mutex<(f64, Instant)>>,
    pub(crate) rng: Mutex<StdRng>,
    pub(crate) pngs: Mutex<HashMap<(u32, u32), Bytes>>,
    /// The last request body per API endpoint, for tests that check what a client sent.
    pub(crate) last: Mutex<HashMap<&'static str, Value>>,
    /// The key of every authenticated-or-not API call, for `MockHandle::keys_seen`.
    pub(crate) keys: Mutex<Vec<String>>,
}

pub(crate) type Shared = Arc<Inner>;

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain counters and queues: still consistent after a panicking handler.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

// ---------------------------------------------------------------------------------------
// Bookkeeping

/// Counts a request and its concurrency; records the status when finished.
pub(crate) struct Visit {
    inner: Shared,
    endpoint: &'static str,
}

impl Visit {
    pub(crate) fn start(inner: &Shared, endpoint: &'static str) -> Visit {
        let now = {
            let mut f = lock(&inner.in_flight);
            let n = f.entry(endpoint).or_default();
            *n += 1;
            *n
        };
        let mut stats = lock(&inner.stats);
        let s = stats.entry(endpoint.to_string()).or_default();
        s.requests += 1;
        s.max_in_flight = s.max_in_flight.max(now);
        Visit {
            inner: inner.clone(),
            endpoint,
        }
    }

    pub(crate) fn finish(self, resp: Response) -> Response {
        let code = resp.status().as_u16().to_string();
        let mut stats = lock(&self.inner.stats);
        *stats
            .entry(self.endpoint.to_string())
            .or_default()
            .statuses
            .entry(code)
            .or_default() += 1;
        resp
    }
}

impl Drop for Visit {
    fn drop(&mut self) {
        if let Some(n) = lock(&self.inner.in_flight).get_mut(self.endpoint) {
            *n = n.saturating_sub(1);
        }
    }
}

pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn random_id(inner: &Shared, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = lock(&inner.rng);
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

pub(crate) fn uuid(inner: &Shared) -> String {
    let mut b: [u8; 16] = lock(&inner.rng).random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
