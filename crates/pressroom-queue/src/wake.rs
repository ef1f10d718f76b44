//! Wake-ups for idle workers, so they need not poll fast.
//!
//! Every [`Queue`](crate::Queue) has a [`Wakers`]: one `Notify` per queue name. An enqueue in
//! this process wakes that queue's waiting claim loops directly. On SQLite, all `Queue` handles
//! on the same database file in one process share one `Wakers` (other processes fall back to
//! polling). On PostgreSQL each enqueue also sends `NOTIFY pressroom_jobs, '<queue>'`, and each
//! worker's listener task turns those into local wake-ups, so workers in any process wake.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use tokio::sync::Notify;

/// The PostgreSQL channel enqueues notify on; the payload is the queue name.
pub const PG_CHANNEL: &str = "pressroom_jobs";

#[derive(Default)]
pub struct Wakers {
    queues: Mutex<HashMap<String, Arc<Notify>>>,
}

impl Wakers {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<Notify>>> {
        // The map holds no invariant a panicking holder could break.
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The notifier claim loops of `queue` wait on.
    pub fn get(&self, queue: &str) -> Arc<Notify> {
        self.lock().entry(queue.to_string()).or_default().clone()
    }

    /// Wakes every claim loop now waiting on `queue`.
    pub fn wake(&self, queue: &str) {
        if let Some(n) = self.lock().get(queue) {
            n.notify_waiters();
        }
    }

    /// Wakes every waiting claim loop, e.g. after notifications may have been missed.
    pub fn wake_all(&self) {
        for n in self.lock().values() {
            n.notify_waiters();
        }
    }
}

static SQLITE_WAKERS: LazyLock<Mutex<HashMap<PathBuf, Weak<Wakers>>>> =
    LazyLock::new(Default::default);

/// The wakers shared by every handle on the SQLite file at `path` in this process.
pub(crate) fn sqlite_wakers(path: PathBuf) -> Arc<Wakers> {
    let mut map = SQLITE_WAKERS.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, w| w.strong_count() > 0);
    if let Some(w) = map.get(&path).and_then(Weak::upgrade) {
        return w;
    }
    let w = Arc::new(Wakers::default());
    map.insert(path, Arc::downgrade(&w));
    w
}
