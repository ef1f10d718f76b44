//! The checked way a status column changes: [`Tx::move_status`] checks the move against the
//! domain's table of allowed moves and writes with a compare-and-set on the old status, so a
//! concurrent change is detected instead of overwritten. Four writes in `work/writes.rs` move a
//! status inside a larger statement (`map_keyword_ids`, `start_image`, `finish_image`,
//! `review_if_images_settled`); each calls `check_move` for its fixed move and guards on the
//! old status itself. docs/ARCHITECTURE.md lists them; a new one belongs on that list.

use crate::{Result, StoreError, Tx, on_conn};
use pressroom_domain::*;

/// Links a status enum to its table and id type.
pub trait StatusColumn: Status {
    type Id: Copy + std::fmt::Display;
    const TABLE: &'static str;
    fn raw(id: Self::Id) -> i64;
}

macro_rules! status_column {
    ($($status:ty => $id:ty, $table:literal;)*) => {$(
        impl StatusColumn for $status {
            type Id = $id;
            const TABLE: &'static str = $table;
            fn raw(id: $id) -> i64 { id.get() }
        }
    )*};
}

status_column! {
    KeywordStatus => KeywordId, "keywords";
    ClusterStatus => ClusterId, "clusters";
    IdeaStatus => IdeaId, "ideas";
    TaskStatus => TaskId, "tasks";
    ContentStatus => ContentId, "content";
    ImageStatus => ImageId, "images";
    RunStatus => RunId, "automation_runs";
    SiteStatus => SiteId, "sites";
    PublicationStatus => PublicationId, "publications";
}

impl Tx {
    /// Moves one row of `account` to `to`. Errors: `NotFound` for a missing or foreign id,
    /// `Domain(IllegalTransition)` for a move the domain forbids (nothing is written).
    pub async fn move_status<S: StatusColumn>(
        &mut self,
        account: AccountId,
        id: S::Id,
        to: S,
    ) -> Result<S> {
        let current: Option<String> = on_conn!(self, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM {} WHERE account_id = $1 AND id = $2", S::TABLE)))
            .bind(account.get()).bind(S::raw(id)).fetch_optional(c).await)?;
        let current = S::parse(&current.ok_or_else(|| StoreError::not_found(S::ENTITY, id))?)?;
        current.check_move(to)?;
        let changed = on_conn!(self, c => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET status = $1 WHERE account_id = $2 AND id = $3 AND status = $4", S::TABLE)))
            .bind(to.as_str()).bind(account.get()).bind(S::raw(id)).bind(current.as_str())
            .execute(c).await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            // Only reachable on an engine without row locks held across the read (never inside
            // a SQLite write transaction); reported rather than silently retried.
            return Err(StoreError::Conflict {
                entity: S::ENTITY,
                id: id.to_string(),
            });
        }
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("status.rs") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// Every `UPDATE` outside this file that writes a fixed status, as (table, status): the four
    /// guarded writes ARCHITECTURE.md lists, API token revocation, webhook and destination removal (one-way flags, not moves)
    /// and a failed delivery sent again. A new one must be added
    /// there (with its guard) before it is added here.
    #[test]
    fn status_writes_outside_move_status_are_the_listed_ones() {
        let mut texts = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        let mut found = Vec::new();
        for text in &texts {
            for (at, _) in text.match_indices("UPDATE ") {
                let statement = &text[at + "UPDATE ".len()..];
                let table = statement.split_whitespace().next().unwrap_or("");
                // Up to the WHERE clause or the end of the SQL string, whichever comes first.
                let end = ["WHERE", "\""]
                    .iter()
                    .filter_map(|w| statement.find(w))
                    .min()
                    .unwrap_or(statement.len());
                let set = &statement[..end];
                if let Some(i) = set.find("status = '") {
                    let value = &set[i + "status = '".len()..];
                    let value = &value[..value.find('\'').unwrap()];
                    found.push((table.to_string(), value.to_string()));
                }
            }
        }
        found.sort();
        let expected = [
            ("api_tokens", "revoked"),
            ("content", "review"),
            ("destinations", "removed"),
            ("images", "generated"),
            ("images", "generating"),
            ("keywords", "mapped"),
            ("webhook_deliveries", "pending"),
            ("webhooks", "removed"),
        ];
        assert_eq!(
            found,
            expected
                .map(|(t, s)| (t.to_string(), s.to_string()))
                .to_vec()
        );
    }
}
