//! What the API and the pages read alike from a request, written once: the caller's site, a
//! status filter, the keyword filter, a batch's ids, a page size, an uploaded file's name.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use pressroom_domain::{KeywordStatus, Site, SiteId, Status, text};
use pressroom_store::KeywordFilter;

/// Largest keyword upload accepted (a million-row export fits).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
/// An uploaded picture: more than any article image needs (the image checks allow less).
pub const MAX_IMAGE_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// The site, if it belongs to the caller's account (another account's id is a 404).
pub async fn own_site(s: &AppState, c: &Caller, site: i64) -> ApiResult<Site> {
    Ok(s.pipeline.db().site(c.account(), SiteId::new(site)).await?)
}

/// A `status` filter: absent or blank is every status; anything else must name one of `T`.
pub fn status<T: Status>(value: Option<&str>) -> ApiResult<Option<T>> {
    value
        .filter(|v| !v.is_empty())
        .map(T::parse)
        .transpose()
        .map_err(|e| ApiError::invalid(format!("status: {e}")))
}

/// The ids of a batch request (`"ids": [...]`): 1 to `max` of them, each positive. `noun`
/// names what they are ids of ("content", "image") and `or_else` what may stand instead.
pub fn id_batch<T>(
    ids: &[i64],
    max: usize,
    noun: &str,
    or_else: &str,
    make: impl Fn(i64) -> T,
) -> ApiResult<Vec<T>> {
    if ids.is_empty() || ids.len() > max {
        return Err(ApiError::invalid(format!(
            "ids: give between 1 and {max} {noun} ids{or_else}"
        )));
    }
    if let Some(bad) = ids.iter().find(|i| **i <= 0) {
        let a = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Err(ApiError::invalid(format!(
            "ids: {bad} is not {a} {noun} id"
        )));
    }
    Ok(ids.iter().map(|i| make(*i)).collect())
}

/// The ticked boxes of a page's form (`ids=1&ids=2…`, read as pairs because repeated keys
/// are a list), each a positive id; none ticked is an empty list.
pub fn ticked_ids<T: std::str::FromStr<Err = pressroom_domain::DomainError>>(
    fields: &[(String, String)],
) -> ApiResult<Vec<T>> {
    fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.parse::<T>())
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::invalid(format!("ids: {e}")))
}

/// A page size: `default` when absent, held to 1..=1000.
pub fn limit(value: Option<u32>, default: u32) -> u32 {
    value.unwrap_or(default).clamp(1, 1000)
}

/// The client's file name, only a label for the keywords' source column: cut to 100
/// characters, "upload" when blank, refused if it holds control characters.
pub fn upload_name(name: Option<&str>) -> ApiResult<String> {
    let name: String = name.unwrap_or("").chars().take(100).collect();
    Ok(text::optional_line("file name", Some(&name), 100)?.unwrap_or_else(|| "upload".into()))
}

/// The keyword filter of a list and its total, from the query's `status`, `search` and
/// `min_volume`.
pub fn keyword_filter(
    status_param: Option<&str>,
    search: Option<&str>,
    min_volume: Option<i64>,
) -> ApiResult<KeywordFilter> {
    Ok(KeywordFilter {
        status: status::<KeywordStatus>(status_param)?,
        search: text::optional_line("search", search, text::SEARCH_MAX_CHARS)?,
        min_volume,
    })
}
