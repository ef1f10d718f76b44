//! `pressroom serve`: binds, serves the app until shutdown, and runs an embedded worker and
//! the purge of finished jobs beside it.

use crate::state::{AppState, WebConfig};
use pressroom_pipeline::Pipeline;
use pressroom_queue::{CancellationToken, WorkerConfig};
use std::net::SocketAddr;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
    #[error("the embedded worker failed: {0}")]
    Worker(String),
}

/// Finished jobs are kept a week for inspection, then deleted, hourly; nothing else removes them.
async fn purge_finished_jobs(pipeline: Pipeline, shutdown: CancellationToken) {
    const KEEP_MS: i64 = 7 * 24 * 3600 * 1000;
    loop {
        let before = pressroom_store::now_ms() - KEEP_MS;
        match pipeline.queue().purge_finished(before).await {
            Ok(n) if n > 0 => tracing::info!(purged = n, "finished jobs purged"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging finished jobs failed; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Binds `addr`, then serves the app until `shutdown`, with an embedded worker running the
/// same jobs `pressroom worker` runs. Returns the bound address through `on_bound` (useful
/// with port 0).
pub async fn serve(
    pipeline: Pipeline,
    addr: &str,
    image_concurrency: usize,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    serve_with(
        pipeline,
        addr,
        image_concurrency,
        WebConfig::default(),
        shutdown,
        on_bound,
    )
    .await
}

/// [`serve`] with a [`WebConfig`].
pub async fn serve_with(
    pipeline: Pipeline,
    addr: &str,
    image_concurrency: usize,
    config: WebConfig,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    on_bound(listener.local_addr()?);
    let mut state = AppState::with_config(pipeline.clone(), config);
    state.shutdown = shutdown.clone();
    let worker = pressroom_pipeline::workers::worker(
        &pipeline,
        image_concurrency,
        WorkerConfig {
            poll_interval: Duration::from_millis(250),
            ..WorkerConfig::default()
        },
    );
    // Catches up a slot missed while no process ran (deduplicated across processes).
    if let Err(e) = pressroom_pipeline::scheduler::start(&pipeline).await {
        tracing::warn!(error = %e, "could not queue the scheduler's tick");
    }
    // Set once, before any request can read it.
    let _ = state.worker_metrics.set(worker.metrics());
    let worker = tokio::spawn(worker.run(shutdown.clone()));
    tokio::spawn(purge_finished_jobs(pipeline.clone(), shutdown.clone()));
    let stop = shutdown.clone();
    // The socket's address reaches handlers as `ConnectInfo` (sign-in throttling keys on it).
    let service = crate::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;
    shutdown.cancel();
    match worker.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(ServeError::Worker(e.to_string())),
        Err(e) => Err(ServeError::Worker(e.to_string())),
    }
}
