//! The model registry (SPEC 4.2): per model its provider, kind, prompt limit, sizes,
//! negative-prompt support, price and credit rate. Seeded with common models and editable at
//! run time (insert, remove, or load overrides from a JSON file).

use pressroom_domain::money::{credits_for_tokens, usd_for_tokens};
use pressroom_domain::{Credits, UsdMicros};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI itself or any server speaking its chat/images protocol.
    OpenAi,
    Runware,
    Offline,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Runware => "runware",
            ProviderKind::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" | "openai-compatible" => Some(ProviderKind::OpenAi),
            "runware" => Some(ProviderKind::Runware),
            "offline" => Some(ProviderKind::Offline),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Text,
    Image,
    /// Text to vectors (`/embeddings`); priced per input token.
    Embedding,
}

/// Sizes a model accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeRule {
    /// Exactly these `(width, height)` pairs.
    Fixed(Vec<(u32, u32)>),
    /// Any size whose sides are multiples of `step` within `min..=max` (Runware: 64, 128..=2048).
    Step { step: u32, min: u32, max: u32 },
}

/// Prices in micro-dollars. Token prices are per million tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Price {
    pub input_per_1m: UsdMicros,
    pub output_per_1m: UsdMicros,
    pub per_image: UsdMicros,
}

/// Credits charged to the account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditRate {
    pub per_image: Credits,
    /// Per started thousand tokens (input plus output).
    pub per_1k_tokens: Credits,
    /// Per million tokens, rounded up per call: for models so cheap that a credit per
    /// thousand tokens would overcharge them many times over (embeddings).
    pub per_1m_tokens: Credits,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub id: String,
    pub provider: ProviderKind,
    pub kind: ModelKind,
    /// Longest prompt in characters the model accepts; `None`: no limit known.
    #[serde(default)]
    pub prompt_limit: Option<usize>,
    #[serde(default = "SizeRule::any")]
    pub sizes: SizeRule,
    #[serde(default)]
    pub negative_prompt: bool,
    /// Qualities the model accepts; the first is the default. Empty: no quality parameter.
    #[serde(default)]
    pub qualities: Vec<String>,
    #[serde(default)]
    pub price: Price,
    #[serde(default)]
    pub credits: CreditRate,
    /// Newer OpenAI models take `max_completion_tokens` instead of `max_tokens`.
    #[serde(default)]
    pub max_completion_tokens: bool,
}

impl SizeRule {
    fn any() -> SizeRule {
        SizeRule::Step {
            step: 1,
            min: 64,
            max: 4096,
        }
    }

    /// The allowed size closest to the requested one: same orientation preferred, then the
    /// smallest difference in aspect ratio, then in area.
    pub fn closest(&self, width: u32, height: u32) -> (u32, u32) {
        match self {
            SizeRule::Fixed(sizes) if !sizes.is_empty() => {
                let want_orient = orientation(width, height);
                // Ratios are compared as cross-products in integers: no float rounding.
                let key = |&(w, h): &(u32, u32)| {
                    let orient_miss = u8::from(orientation(w, h) != want_orient);
                    let ratio_diff = (w as i128 * height as i128 - h as i128 * width as i128)
                        .unsigned_abs()
                        * 1_000_000
                        / (h as u128 * height as u128).max(1);
                    let area_diff =
                        (w as i128 * h as i128 - width as i128 * height as i128).unsigned_abs();
                    (orient_miss, ratio_diff, area_diff)
                };
                // `sizes` is non-empty (checked by the match guard).
                *sizes.iter().min_by_key(|s| key(s)).unwrap_or(&sizes[0])
            }
            SizeRule::Fixed(_) => (width, height),
            SizeRule::Step { step, min, max } => {
                let fit = |v: u32| {
                    let step = (*step).max(1);
                    let rounded = ((v + step / 2) / step) * step;
                    rounded.clamp(min.div_ceil(step) * step, (max / step) * step)
                };
                (fit(width), fit(height))
            }
        }
    }
}

fn orientation(w: u32, h: u32) -> std::cmp::Ordering {
    w.cmp(&h)
}

impl ModelSpec {
    /// USD cost of a text call.
    pub fn text_cost(&self, tokens_in: i64, tokens_out: i64) -> UsdMicros {
        UsdMicros(
            usd_for_tokens(tokens_in, self.price.input_per_1m.0).0
                + usd_for_tokens(tokens_out, self.price.output_per_1m.0).0,
        )
    }

    pub fn text_credits(&self, tokens_in: i64, tokens_out: i64) -> Credits {
        let tokens = tokens_in + tokens_out;
        let per_1k = credits_for_tokens(tokens, self.credits.per_1k_tokens.0);
        Credits(
            per_1k
                .0
                .saturating_add(credits_per_1m(tokens, self.credits.per_1m_tokens.0)),
        )
    }

    pub fn image_cost(&self, images: i64) -> UsdMicros {
        UsdMicros(self.price.per_image.0.saturating_mul(images))
    }

    pub fn image_credits(&self, images: i64) -> Credits {
        self.credits.per_image.saturating_mul(images)
    }

    /// The quality to send: the requested one when allowed, else the model's default.
    pub fn quality(&self, requested: Option<&str>) -> Option<String> {
        match requested {
            Some(q) if self.qualities.iter().any(|a| a == q) => Some(q.to_string()),
            _ => self.qualities.first().cloned(),
        }
    }

    /// A neutral spec for a model the registry does not know (a local server's model): no
    /// limit, no price, one credit per image or per thousand tokens.
    pub fn unknown(provider: ProviderKind, kind: ModelKind, id: &str) -> ModelSpec {
        ModelSpec {
            id: id.to_string(),
            provider,
            kind,
            prompt_limit: None,
            sizes: match provider {
                ProviderKind::Runware => runware_sizes(),
                _ => SizeRule::any(),
            },
            negative_prompt: provider == ProviderKind::Runware,
            qualities: vec![],
            price: Price::default(),
            credits: CreditRate {
                per_image: Credits(1),
                per_1k_tokens: Credits(1),
                per_1m_tokens: Credits(0),
            },
            max_completion_tokens: false,
        }
    }
}

/// `per_1m` credits per million tokens, rounded up so a call is never free by rounding.
fn credits_per_1m(tokens: i64, per_1m: i64) -> i64 {
    if tokens <= 0 || per_1m <= 0 {
        return 0;
    }
    ((i128::from(tokens) * i128::from(per_1m) + 999_999) / 1_000_000) as i64
}

fn runware_sizes() -> SizeRule {
    SizeRule::Step {
        step: 64,
        min: 128,
        max: 2048,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRegistry {
    models: BTreeMap<String, ModelSpec>,
}

/// The registry shared by every provider of a process; edits are seen by the next call.
pub type SharedRegistry = Arc<RwLock<ModelRegistry>>;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read model registry file {path}: {message}")]
    Read { path: String, message: String },
    #[error("invalid model registry JSON: {0}")]
    Parse(String),
}

impl ModelRegistry {
    pub fn empty() -> ModelRegistry {
        ModelRegistry::default()
    }

    /// Common models with list prices at the time of writing (edit them with [`insert`] or a
    /// file). Runware prices are estimates; Runware reports the real cost per call.
    ///
    /// [`insert`]: ModelRegistry::insert
    pub fn seeded() -> ModelRegistry {
        let mut r = ModelRegistry::empty();
        let text = |id: &str, inp: i64, out: i64, credits: i64| ModelSpec {
            id: id.into(),
            provider: ProviderKind::OpenAi,
            kind: ModelKind::Text,
            prompt_limit: None,
            sizes: SizeRule::Fixed(vec![]),
            negative_prompt: false,
            qualities: vec![],
            price: Price {
                input_per_1m: UsdMicros(inp),
                output_per_1m: UsdMicros(out),
                per_image: UsdMicros(0),
            },
            credits: CreditRate {
                per_image: Credits(0),
                per_1k_tokens: Credits(credits),
                per_1m_tokens: Credits(0),
            },
            max_completion_tokens: false,
        };
        r.insert(text("gpt-4o-mini", 150_000, 600_000, 1));
        r.insert(text("gpt-4o", 2_500_000, 10_000_000, 5));
        r.insert(text("gpt-4.1-mini", 400_000, 1_600_000, 1));
        let mut gpt41 = text("gpt-4.1", 2_000_000, 8_000_000, 4);
        gpt41.max_completion_tokens = true;
        r.insert(gpt41);

        let image = |id: &str,
                     provider: ProviderKind,
                     limit: Option<usize>,
                     sizes: SizeRule,
                     negative: bool,
                     qualities: &[&str],
                     usd: i64,
                     credits: i64| ModelSpec {
            id: id.into(),
            provider,
            kind: ModelKind::Image,
            prompt_limit: limit,
            sizes,
            negative_prompt: negative,
            qualities: qualities.iter().map(|q| q.to_string()).collect(),
            price: Price {
                per_image: UsdMicros(usd),
                ..Price::default()
            },
            credits: CreditRate {
                per_image: Credits(credits),
                ..CreditRate::default()
            },
            max_completion_tokens: false,
        };
        // Embeddings: list price per million input tokens, and credits per million at one
        // credit per $0.001, rounded up per call (a batch of keywords costs at least one).
        let embedding = |id: &str, usd_per_1m: i64, credits_per_1m: i64| ModelSpec {
            id: id.into(),
            provider: ProviderKind::OpenAi,
            kind: ModelKind::Embedding,
            prompt_limit: None,
            sizes: SizeRule::Fixed(vec![]),
            negative_prompt: false,
            qualities: vec![],
            price: Price {
                input_per_1m: UsdMicros(usd_per_1m),
                ..Price::default()
            },
            credits: CreditRate {
                per_1m_tokens: Credits(credits_per_1m),
                ..CreditRate::default()
            },
            max_completion_tokens: false,
        };
        r.insert(embedding("text-embedding-3-small", 20_000, 20));
        r.insert(embedding("text-embedding-3-large", 130_000, 130));
        use ProviderKind::*;
        r.insert(image(
            "dall-e-2",
            OpenAi,
            Some(1000),
            SizeRule::Fixed(vec![(256, 256), (512, 512), (1024, 1024)]),
            false,
            &[],
            20_000,
            2,
        ));
        r.insert(image(
            "dall-e-3",
            OpenAi,
            Some(4000),
            SizeRule::Fixed(vec![(1024, 1024), (1792, 1024), (1024, 1792)]),
            false,
            &["standard", "hd"],
            40_000,
            4,
        ));
        r.insert(image(
            "gpt-image-1",
            OpenAi,
            Some(32000),
            SizeRule::Fixed(vec![(1024, 1024), (1536, 1024), (1024, 1536)]),
            false,
            &["medium", "low", "high", "auto"],
            42_000,
            5,
        ));
        r.insert(image(
            "runware:100@1",
            Runware,
            Some(3000),
            runware_sizes(),
            false,
            &[],
            1_300,
            1,
        ));
        r.insert(image(
            "runware:101@1",
            Runware,
            Some(3000),
            runware_sizes(),
            true,
            &[],
            3_800,
            1,
        ));
        // Offline models cost nothing: they run on this machine and call no one.
        r.insert(ModelSpec {
            credits: CreditRate::default(),
            ..ModelSpec::unknown(Offline, ModelKind::Text, "offline-text")
        });
        r.insert(ModelSpec {
            credits: CreditRate::default(),
            sizes: SizeRule::Step {
                step: 8,
                min: 64,
                max: 2048,
            },
            negative_prompt: false,
            ..ModelSpec::unknown(Offline, ModelKind::Image, "offline-cards")
        });
        r.insert(ModelSpec {
            credits: CreditRate::default(),
            ..ModelSpec::unknown(Offline, ModelKind::Embedding, "offline-embeddings")
        });
        r
    }

    pub fn shared(self) -> SharedRegistry {
        Arc::new(RwLock::new(self))
    }

    pub fn get(&self, id: &str) -> Option<&ModelSpec> {
        self.models.get(id)
    }

    /// The model's spec when this registry lists `id` for this provider and kind; otherwise a
    /// cautious one ([`ModelSpec::unknown`]). A listed model is never borrowed across
    /// providers: `offline-text` named on an OpenAI site would otherwise be priced as the free
    /// offline model while OpenAI bills for it.
    pub fn resolve(&self, provider: ProviderKind, kind: ModelKind, id: &str) -> ModelSpec {
        self.get(id)
            .filter(|spec| spec.provider == provider && spec.kind == kind)
            .cloned()
            .unwrap_or_else(|| ModelSpec::unknown(provider, kind, id))
    }

    /// Adds or replaces a model.
    pub fn insert(&mut self, spec: ModelSpec) -> Option<ModelSpec> {
        self.models.insert(spec.id.clone(), spec)
    }

    pub fn remove(&mut self, id: &str) -> Option<ModelSpec> {
        self.models.remove(id)
    }

    pub fn models(&self) -> impl Iterator<Item = &ModelSpec> {
        self.models.values()
    }

    /// Applies overrides: a JSON array of full model specs, each added or replacing the
    /// model with the same id.
    pub fn merge_json(&mut self, json: &str) -> Result<usize, RegistryError> {
        let specs: Vec<ModelSpec> =
            serde_json::from_str(json).map_err(|e| RegistryError::Parse(e.to_string()))?;
        let n = specs.len();
        for s in specs {
            self.insert(s);
        }
        Ok(n)
    }

    pub fn merge_file(&mut self, path: &std::path::Path) -> Result<usize, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|e| RegistryError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.merge_json(&text)
    }

    pub fn to_json(&self) -> String {
        let specs: Vec<&ModelSpec> = self.models.values().collect();
        // Serialising plain data structs with string keys cannot fail.
        serde_json::to_string_pretty(&specs).unwrap_or_else(|_| "[]".into())
    }
}

/// Reads a spec out of a shared registry without holding the lock across an await.
pub(crate) fn lookup(
    registry: &SharedRegistry,
    provider: ProviderKind,
    kind: ModelKind,
    id: &str,
) -> ModelSpec {
    match registry.read() {
        Ok(r) => r.resolve(provider, kind, id),
        // A writer panicked mid-edit; the data is plain values, still usable.
        Err(poisoned) => poisoned.into_inner().resolve(provider, kind, id),
    }
}

/// Shortens `prompt` to at most `limit` characters (not bytes): cut after the last sentence
/// end (`.`, `!`, `?`, `。`) that fits, else at the last word boundary, else hard at `limit`.
/// Never returns more than `limit` characters.
pub fn shorten_prompt(prompt: &str, limit: usize) -> String {
    if prompt.chars().count() <= limit {
        return prompt.to_string();
    }
    // Byte offset just past the `limit`-th character.
    let end = prompt
        .char_indices()
        .nth(limit)
        .map(|(i, _)| i)
        .unwrap_or(prompt.len());
    let head = &prompt[..end];
    let mut sentence_end = None;
    for (i, c) in head.char_indices() {
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？') {
            let after = i + c.len_utf8();
            // A sentence ends where punctuation is followed by whitespace or the end of text.
            let next = prompt[after..].chars().next();
            if next.is_none_or(char::is_whitespace) {
                sentence_end = Some(after);
            }
        }
    }
    // Only settle for a sentence cut that keeps a useful share of the prompt.
    if let Some(cut) = sentence_end.filter(|&c| c * 3 >= head.len()) {
        return prompt[..cut].trim_end().to_string();
    }
    if let Some(space) = head.rfind(char::is_whitespace).filter(|&s| s > 0) {
        return head[..space].trim_end().to_string();
    }
    head.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_model_is_not_borrowed_across_providers_or_kinds() {
        let r = ModelRegistry::seeded();
        let free = r.resolve(ProviderKind::Offline, ModelKind::Text, "offline-text");
        assert_eq!(free.credits.per_1k_tokens, Credits(0));
        // Named on an OpenAI site, the offline model's free price must not apply.
        let borrowed = r.resolve(ProviderKind::OpenAi, ModelKind::Text, "offline-text");
        assert_eq!(borrowed.provider, ProviderKind::OpenAi);
        assert_eq!(borrowed.credits.per_1k_tokens, Credits(1));
        let wrong_kind = r.resolve(ProviderKind::Offline, ModelKind::Image, "offline-text");
        assert_eq!(wrong_kind.kind, ModelKind::Image);
        assert_eq!(wrong_kind.credits.per_image, Credits(1));
    }

    #[test]
    fn seeded_models_match_spec_limits() {
        let r = ModelRegistry::seeded();
        assert_eq!(r.get("dall-e-2").unwrap().prompt_limit, Some(1000));
        assert_eq!(r.get("dall-e-3").unwrap().prompt_limit, Some(4000));
        assert_eq!(r.get("gpt-image-1").unwrap().prompt_limit, Some(32000));
        assert!(r.get("runware:101@1").unwrap().negative_prompt);
        assert_eq!(
            r.get("offline-cards").unwrap().provider,
            ProviderKind::Offline
        );
        let json = r.to_json();
        let mut again = ModelRegistry::empty();
        assert_eq!(again.merge_json(&json).unwrap(), r.models().count());
        assert_eq!(again, r);
    }

    #[test]
    fn closest_size_prefers_orientation_then_ratio() {
        let r = ModelRegistry::seeded();
        let d3 = &r.get("dall-e-3").unwrap().sizes;
        assert_eq!(d3.closest(1200, 800), (1792, 1024));
        assert_eq!(d3.closest(800, 1200), (1024, 1792));
        assert_eq!(d3.closest(1000, 1000), (1024, 1024));
        let d2 = &r.get("dall-e-2").unwrap().sizes;
        assert_eq!(d2.closest(500, 500), (512, 512));
        assert_eq!(d2.closest(1792, 1024), (1024, 1024));
        let rw = &r.get("runware:100@1").unwrap().sizes;
        assert_eq!(rw.closest(1000, 700), (1024, 704));
        assert_eq!(rw.closest(5000, 10), (2048, 128));
    }

    #[test]
    fn costs_are_integer_and_round_up() {
        let r = ModelRegistry::seeded();
        let m = r.get("gpt-4o-mini").unwrap();
        assert_eq!(m.text_cost(1_000_000, 1_000_000), UsdMicros(750_000));
        assert_eq!(m.text_cost(1, 0), UsdMicros(1));
        assert_eq!(m.text_credits(1500, 0), Credits(2));
        let d3 = r.get("dall-e-3").unwrap();
        assert_eq!(d3.image_cost(2), UsdMicros(80_000));
        assert_eq!(d3.quality(Some("hd")).as_deref(), Some("hd"));
        assert_eq!(d3.quality(Some("ultra")).as_deref(), Some("standard"));
        assert_eq!(r.get("dall-e-2").unwrap().quality(Some("hd")), None);
    }

    #[test]
    fn shorten_prompt_cuts_at_sentence_and_never_exceeds() {
        let p = "A red fox in snow. It looks at the camera! Behind it, pine trees and a frozen lake stretch away.";
        assert_eq!(shorten_prompt(p, 1000), p);
        assert_eq!(
            shorten_prompt(p, 50),
            "A red fox in snow. It looks at the camera!"
        );
        // No sentence end in reach: cut at a word boundary.
        let words = "alpha beta gamma delta epsilon";
        assert_eq!(shorten_prompt(words, 13), "alpha beta");
        // Multi-byte text is cut on characters, never inside one.
        let uni = "Ünïcödé wörds ärë fün. Thïs sëntëncë ïs löngër thän thë lïmït ällöws.";
        for limit in 0..uni.chars().count() + 2 {
            let s = shorten_prompt(uni, limit);
            assert!(s.chars().count() <= limit, "limit {limit}: {s}");
        }
        assert_eq!(shorten_prompt(uni, 40), "Ünïcödé wörds ärë fün.");
        assert_eq!(shorten_prompt("abcdef", 3), "abc");
        assert_eq!(shorten_prompt("abc", 0), "");
    }
}
