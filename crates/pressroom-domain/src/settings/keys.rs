//! Every settable key of a site's settings, with its group, the shape of its value and one
//! line of help. The CLI (`sites settings`), the API and the Settings page list keys from
//! here, and the merge patch ([`super::patch`]) walks a patch with it, so a key missing here
//! cannot be set anywhere (a test checks every serialised field is listed).

use serde::Serialize;

/// The four sections of the Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Writing,
    Images,
    Automation,
    Limits,
}

impl Group {
    pub const ALL: &'static [Group] = &[
        Group::Writing,
        Group::Images,
        Group::Automation,
        Group::Limits,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Writing => "writing",
            Group::Images => "images",
            Group::Automation => "automation",
            Group::Limits => "limits",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Group::Writing => "Writing",
            Group::Images => "Images",
            Group::Automation => "Automation",
            Group::Limits => "Limits",
        }
    }

    pub fn parse(s: &str) -> Option<Group> {
        Group::ALL.iter().copied().find(|g| g.as_str() == s)
    }
}

/// The shape of a key's value: how a CLI `key=value` or a form field becomes JSON, and what an
/// error says was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "choices", rename_all = "snake_case")]
pub enum Kind {
    /// A whole number; unset (`null`) restores the default.
    Number,
    /// A whole number or unset (`null`: no value).
    OptNumber,
    Text,
    OptText,
    Choice(&'static [&'static str]),
    OptChoice(&'static [&'static str]),
    /// A list of strings (CLI: comma-separated or a JSON array).
    List,
    /// Strings by name (`prompt_templates.generate-content`); each entry is its own key.
    Map,
}

impl Kind {
    /// Whether `null` is a value of its own (rather than "back to the default").
    pub fn optional(self) -> bool {
        matches!(self, Kind::OptNumber | Kind::OptText | Kind::OptChoice(_))
    }

    pub fn choices(self) -> &'static [&'static str] {
        match self {
            Kind::Choice(c) | Kind::OptChoice(c) => c,
            _ => &[],
        }
    }

    /// What an error says the key takes.
    pub fn expected(self) -> String {
        let opt = if self.optional() { " or empty" } else { "" };
        match self {
            Kind::Number | Kind::OptNumber => format!("a whole number{opt}"),
            Kind::Text | Kind::OptText => format!("text{opt}"),
            Kind::Choice(c) | Kind::OptChoice(c) => format!("one of {}{opt}", c.join(", ")),
            Kind::List => "a list of texts".into(),
            Kind::Map => "an object of texts by AI function name".into(),
        }
    }
}

/// One settable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// Dotted path in the settings JSON (`batch_sizes.tasks`); `language` is the site's column.
    pub key: &'static str,
    pub group: Group,
    pub kind: Kind,
    pub help: &'static str,
}

const TEXT_PROVIDERS: &[&str] = &["openai", "offline"];
const IMAGE_PROVIDERS: &[&str] = &["openai", "runware", "offline"];
const EMBEDDING_PROVIDERS: &[&str] = &["openai", "offline"];
const POINTS_OF_VIEW: &[&str] = &["first", "second", "third"];
const REVIEW_MODES: &[&str] = &["manual", "auto"];
const ON_OFF: &[&str] = &["off", "on"];
const FREQUENCIES: &[&str] = &["off", "daily", "weekly", "monthly"];
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const CLUSTER_METHODS: &[&str] = &["lexical", "embedding", "serp"];

macro_rules! keys {
    ($($key:literal, $group:ident, $kind:expr, $help:literal;)*) => {
        &[$(KeyInfo { key: $key, group: Group::$group, kind: $kind, help: $help }),*]
    };
}

use Kind::*;

/// Every key, in page order.
pub const KEYS: &[KeyInfo] = keys! {
    "language", Writing, Text, "Language code of the articles (en, de, pt-BR); used in every prompt.";
    "voice.tone", Writing, OptText, "How the articles sound (\"friendly and plain\").";
    "voice.audience", Writing, OptText, "Who reads the site (\"first-time trail runners\").";
    "voice.point_of_view", Writing, OptChoice(POINTS_OF_VIEW), "first (we), second (you) or third person.";
    "voice.words_min", Writing, Number, "Fewest words per article (100-10000).";
    "voice.words_max", Writing, Number, "Most words per article (words_min-10000).";
    "voice.always_say", Writing, List, "Phrases or facts every article should carry.";
    "voice.never_say", Writing, List, "Words, claims or competitors no article may mention.";
    "prompt_templates", Writing, Map, "Prompt template overrides by AI function (prompt_templates.generate-content).";
    "text_provider", Writing, OptChoice(TEXT_PROVIDERS), "Text provider; empty: OpenAI when a key is set, else offline.";
    "text_model", Writing, OptText, "Text model (from the model registry); empty: the provider's default.";
    "internal_links_per_article", Writing, Number, "Most links an article gets to others of its cluster (0-20).";
    "image_provider", Images, OptChoice(IMAGE_PROVIDERS), "Image provider; empty: chosen by the keys that are set.";
    "image_model", Images, OptText, "Image model (from the model registry); empty: the provider's default.";
    "featured_image_size", Images, Text, "Featured image size, WIDTHxHEIGHT, allowed by the image model.";
    "in_article_image_size", Images, Text, "In-article image size, WIDTHxHEIGHT, allowed by the image model.";
    "in_article_images", Images, Number, "Images in the body of each article (0-8).";
    "review_mode", Automation, Choice(REVIEW_MODES), "manual: articles wait for review; auto: approved when written.";
    "auto_publish", Automation, Choice(ON_OFF), "on: approved articles are queued at the site's destinations by themselves.";
    "schedule.frequency", Automation, Choice(FREQUENCIES), "When automation runs by itself.";
    "schedule.time", Automation, Text, "Local time of the scheduled run, HH:MM (24 h).";
    "schedule.weekday", Automation, Choice(WEEKDAYS), "Weekly: the day.";
    "schedule.day_of_month", Automation, Number, "Monthly: the day (1-31; short months use their last day).";
    "timezone", Automation, Text, "IANA time zone of the schedule and the budget month (Europe/Berlin).";
    "batch_sizes.keywords", Automation, Number, "Unused (Stage 1 clusters the whole list); kept for old settings.";
    "batch_sizes.clusters", Automation, Number, "Stage 2: clusters whose ideas are written at once (1-500).";
    "batch_sizes.ideas", Automation, Number, "Stage 3: ideas made into tasks per transaction (1-500).";
    "batch_sizes.tasks", Automation, Number, "Stage 4: articles written at once (1-500).";
    "batch_sizes.content", Automation, Number, "Stage 5: articles whose image prompts are written at once (1-500).";
    "batch_sizes.images", Automation, Number, "Unused by a stage (the image queue sets the pace); 1-500.";
    "min_keywords_to_cluster", Automation, Number, "Fewest new keywords before a run clusters them.";
    "clustering.method", Automation, Choice(CLUSTER_METHODS), "How keywords are grouped: lexical, embedding or serp.";
    "clustering.similarity_percent", Automation, OptNumber, "Similarity (1-99 %) to join a cluster; empty: the method's default.";
    "clustering.serp_shared_urls", Automation, Number, "SERP: top-10 URLs two keywords must share (1-10).";
    "clustering.embedding_provider", Automation, OptChoice(EMBEDDING_PROVIDERS), "Embedding provider; empty: the text provider's.";
    "clustering.embedding_model", Automation, OptText, "Embedding model; empty: the provider's default.";
    "caps.keywords", Limits, OptNumber, "Most keywords one run takes; empty: no cap.";
    "caps.content", Limits, OptNumber, "Most articles one run writes; empty: no cap.";
    "caps.images", Limits, OptNumber, "Most images one run generates; empty: no cap.";
    "caps.credits", Limits, OptNumber, "Most credits one run spends; empty: no cap.";
    "monthly_budget", Limits, OptNumber, "Most credits the site spends per calendar month; empty: no budget.";
    "text_key", Limits, OptText, "The account's provider key (by name) for text calls; empty: the environment's.";
    "image_key", Limits, OptText, "The account's provider key (by name) for image calls; empty: the environment's.";
};

/// The entry for exactly `key`.
pub fn key_info(key: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|k| k.key == key)
}

/// The keys of one group, in page order.
pub fn keys_in(group: Group) -> impl Iterator<Item = &'static KeyInfo> {
    KEYS.iter().filter(move |k| k.group == group)
}

/// What `key` names: a key, an entry of a map key, a section holding keys, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Key(&'static KeyInfo),
    /// `prompt_templates.generate-content`: the map key and the entry's name.
    Entry(&'static KeyInfo),
    /// `voice`, `batch_sizes`: a section whose keys start with `voice.`.
    Section,
    Unknown,
}

pub(crate) fn lookup(key: &str) -> Lookup {
    if let Some(info) = key_info(key) {
        return Lookup::Key(info);
    }
    if let Some((map, name)) = key.split_once('.')
        && !name.is_empty()
        && let Some(info) = key_info(map).filter(|i| i.kind == Kind::Map)
    {
        return Lookup::Entry(info);
    }
    let prefix = format!("{key}.");
    if KEYS.iter().any(|k| k.key.starts_with(&prefix)) {
        return Lookup::Section;
    }
    Lookup::Unknown
}

/// The message for a key that is not settable: the closest key when one is near, else the
/// keys of the section it sits in (or every key).
pub fn unknown_key_message(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    let close = KEYS
        .iter()
        .map(|k| {
            let tail = k.key.rsplit('.').next().unwrap_or(k.key);
            let d = distance(key, k.key).min(distance(last, tail) + 1);
            (d, k.key)
        })
        .min_by_key(|(d, _)| *d);
    if let Some((d, best)) = close
        && d <= 3.max(key.len() / 4)
    {
        return format!("unknown setting {key:?}; did you mean {best:?}?");
    }
    let section = key
        .rsplit_once('.')
        .map(|(s, _)| format!("{s}."))
        .filter(|s| KEYS.iter().any(|k| k.key.starts_with(s.as_str())));
    let listed: Vec<&str> = KEYS
        .iter()
        .map(|k| k.key)
        .filter(|k| section.as_deref().is_none_or(|s| k.starts_with(s)))
        .collect();
    format!(
        "unknown setting {key:?}; settable keys: {}",
        listed.join(", ")
    )
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SiteSettings;

    /// Every leaf of the serialised settings is a listed key, and every listed key is a leaf:
    /// a field added to `SiteSettings` without a key here fails this test.
    #[test]
    fn every_serialised_field_is_a_key() {
        fn leaves(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) if key_info(prefix).is_none() => {
                    for (k, v) in m {
                        let key = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        leaves(&key, v, out);
                    }
                }
                _ => out.push(prefix.to_string()),
            }
        }
        let mut found = vec!["language".to_string()];
        let json = serde_json::to_value(SiteSettings::default()).unwrap();
        leaves("", &json, &mut found);
        found.sort();
        let mut listed: Vec<String> = KEYS.iter().map(|k| k.key.to_string()).collect();
        listed.sort();
        assert_eq!(found, listed);
    }

    #[test]
    fn unknown_keys_suggest_a_close_one() {
        assert!(unknown_key_message("in_article_image").contains("\"in_article_images\""));
        assert!(unknown_key_message("voice.tonne").contains("\"voice.tone\""));
        assert!(unknown_key_message("tone").contains("\"voice.tone\""));
        let far = unknown_key_message("batch_sizes.zzzzzzzzzzzzzzz");
        assert!(far.contains("batch_sizes.tasks"), "{far}");
        assert!(!far.contains("voice.tone"), "{far}");
        assert_eq!(lookup("voice"), Lookup::Section);
        assert!(matches!(
            lookup("prompt_templates.generate-content"),
            Lookup::Entry(_)
        ));
        assert_eq!(lookup("nope"), Lookup::Unknown);
    }
}
