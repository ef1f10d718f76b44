//! Retries with jittered exponential backoff, honouring the server's `retry-after-ms` /
//! `retry-after` headers.

use crate::error::ProviderError;
use rand::Rng;
use reqwest::header::HeaderMap;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// Cap on a computed backoff step.
    pub max_delay: Duration,
    /// A server asking for a longer pause than this is not waited on here: the error goes
    /// back to the job queue, which can reschedule without holding a worker.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Backoff before attempt `retry` + 1 (`retry` starts at 1): exponential, capped, with
    /// "equal jitter" (half fixed, half random) so many workers do not retry in lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter_ms = half.as_millis() as u64;
        let extra = if jitter_ms == 0 {
            0
        } else {
            rand::rng().random_range(0..=jitter_ms)
        };
        half + Duration::from_millis(extra)
    }
}

/// Reads `retry-after-ms` (milliseconds, OpenAI) or `retry-after` (seconds; an HTTP date is
/// ignored rather than trusted to a clock).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_millis(ms.ceil() as u64));
    }
    let secs = get("retry-after")?.trim().parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_millis((secs * 1000.0).ceil() as u64))
}

/// Runs `attempt` until it succeeds, fails permanently, or attempts run out. Returns the last
/// result and the number of attempts made.
pub async fn run<T, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> (Result<T, ProviderError>, u32)
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut n = 0;
    loop {
        n += 1;
        let err = match attempt(n).await {
            Ok(v) => return (Ok(v), n),
            Err(e) => e,
        };
        let Some(server_wait) = err.retry_hint() else {
            return (Err(err), n);
        };
        if n >= policy.max_attempts.max(1) {
            return (Err(err), n);
        }
        let wait = match server_wait {
            Some(w) if w > policy.max_retry_after => return (Err(err), n),
            // The server's wait is a floor; jittered backoff may add to it.
            Some(w) => w.max(policy.backoff(n).min(w + policy.base_delay)),
            None => policy.backoff(n),
        };
        tracing::debug!(attempt = n, wait_ms = wait.as_millis() as u64, error = %err, "retrying provider call");
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_retry_after_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut d = HeaderMap::new();
        d.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&d), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered_within_bounds() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for retry in 1..20 {
            let d = p.backoff(retry);
            let full =
                (Duration::from_millis(100) * 2u32.pow((retry - 1).min(16))).min(p.max_delay);
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn stops_on_permanent_errors_and_after_max_attempts() {
        let p = RetryPolicy::default();
        let (r, n) = run(&p, |_| async {
            Err::<(), _>(ProviderError::Unauthorized {
                provider: "openai",
                status: 401,
            })
        })
        .await;
        assert!(r.is_err());
        assert_eq!(n, 1);
        let (r, n) = run(&p, |_| async {
            Err::<(), _>(ProviderError::Server {
                provider: "openai",
                status: 503,
                message: String::new(),
                retry_after: None,
            })
        })
        .await;
        assert!(r.is_err());
        assert_eq!(n, p.max_attempts);
        let (r, n) = run(&p, |_| async {
            Err::<(), _>(ProviderError::RateLimited {
                provider: "openai",
                status: 429,
                retry_after: Some(Duration::from_secs(3600)),
            })
        })
        .await;
        assert!(r.is_err());
        assert_eq!(
            n, 1,
            "a wait beyond max_retry_after goes back to the caller"
        );
    }
}
