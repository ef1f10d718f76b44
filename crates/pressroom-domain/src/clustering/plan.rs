//! From a cluster's keywords to what gets written: the name that says what the cluster is
//! about, and one article per search intent, each on a primary keyword no other article of
//! the site targets.

use super::terms::{ignored_words, terms};
use crate::Intent;
use std::collections::{HashMap, HashSet};

/// A clustered keyword as naming and planning see it.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub phrase: &'a str,
    pub volume: i64,
    pub intent: Option<Intent>,
}

/// What one article of a cluster is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentPlan {
    /// `None` when no keyword of the cluster says its intent.
    pub intent: Option<Intent>,
    pub primary: String,
    /// The primary keyword reduced to its terms: the site-wide uniqueness key.
    pub primary_terms: String,
    /// Other keywords of the same intent, then of the cluster, none with the primary's terms.
    pub secondary: Vec<String>,
}

/// A phrase's uniqueness key among primary keywords: its terms (case, accents, plurals,
/// word order and modifiers folded), space-separated. "Creme brulee torches" and "best crème
/// brûlée torch" have the same key.
pub fn terms_key(phrase: &str) -> String {
    terms(phrase).join(" ")
}

/// The cluster's phrases in the order they best name it: phrases written with its most
/// common terms (the core of what it is about) first, then those with fewer modifiers, more
/// volume, fewer words, and alphabetically, so the order never depends on input order.
pub fn name_candidates<'a>(members: &[Member<'a>]) -> Vec<&'a str> {
    let keys: Vec<String> = members.iter().map(|m| terms_key(m.phrase)).collect();
    let mut frequency: HashMap<&str, usize> = HashMap::new();
    for k in &keys {
        *frequency.entry(k.as_str()).or_default() += 1;
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| {
        let (ma, mb) = (&members[a], &members[b]);
        frequency[keys[b].as_str()]
            .cmp(&frequency[keys[a].as_str()])
            .then_with(|| ignored_words(ma.phrase).cmp(&ignored_words(mb.phrase)))
            .then_with(|| mb.volume.cmp(&ma.volume))
            .then_with(|| words(ma.phrase).cmp(&words(mb.phrase)))
            .then_with(|| ma.phrase.cmp(mb.phrase))
    });
    order.into_iter().map(|i| members[i].phrase).collect()
}

fn words(phrase: &str) -> usize {
    phrase.split_whitespace().count()
}

fn intent_rank(i: Option<Intent>) -> usize {
    match i {
        Some(Intent::Informational) => 0,
        Some(Intent::Commercial) => 1,
        Some(Intent::Transactional) => 2,
        Some(Intent::Navigational) => 3,
        None => 4,
    }
}

/// One plan per distinct search intent among the cluster's keywords, most searched first.
/// A keyword with no intent of its own takes the cluster's main one (by volume). Keywords
/// whose terms already have an article on the site (`taken`) are neither primary nor
/// secondary; an intent all of whose keywords are taken gets no plan, and neither does an
/// intent the cluster already has an article for (`planned`: the cluster's ideas' primary
/// keywords, normalised with [`crate::normalise_phrase`]).
pub fn plan_intents(
    members: &[Member<'_>],
    taken: &HashSet<String>,
    planned: &HashSet<String>,
    max_secondary: usize,
) -> Vec<IntentPlan> {
    let mut volume_by_intent: HashMap<Option<Intent>, i64> = HashMap::new();
    for m in members.iter().filter(|m| m.intent.is_some()) {
        *volume_by_intent.entry(m.intent).or_default() += m.volume.max(0) + 1;
    }
    let main = volume_by_intent
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(intent_rank(*b.0).cmp(&intent_rank(*a.0))))
        .map(|(i, _)| *i)
        .unwrap_or(None);
    let covered: HashSet<Option<Intent>> = members
        .iter()
        .filter(|m| planned.contains(&crate::normalise_phrase(m.phrase)))
        .map(|m| m.intent.or(main))
        .collect();
    let mut by_intent: HashMap<Option<Intent>, Vec<Member<'_>>> = HashMap::new();
    for m in members {
        let intent = m.intent.or(main);
        if !taken.contains(&terms_key(m.phrase)) && !covered.contains(&intent) {
            by_intent.entry(intent).or_default().push(*m);
        }
    }
    let mut intents: Vec<(Option<Intent>, Vec<Member<'_>>)> = by_intent.into_iter().collect();
    intents.sort_by(|a, b| {
        let va: i64 = a.1.iter().map(|m| m.volume).sum();
        let vb: i64 = b.1.iter().map(|m| m.volume).sum();
        vb.cmp(&va).then(intent_rank(a.0).cmp(&intent_rank(b.0)))
    });
    let everyone = name_candidates(members);
    let mut used: HashSet<String> = HashSet::new();
    let mut plans = Vec::new();
    for (intent, group) in &intents {
        let Some(primary) = name_candidates(group)
            .into_iter()
            .find(|p| !used.contains(&terms_key(p)))
        else {
            continue;
        };
        let primary_terms = terms_key(primary);
        if primary_terms.is_empty() {
            continue;
        }
        used.insert(primary_terms.clone());
        plans.push((*intent, primary, primary_terms, group));
    }
    let primaries: HashSet<&str> = plans.iter().map(|p| p.2.as_str()).collect();
    plans
        .iter()
        .map(|(intent, primary, primary_terms, group)| {
            let mut seen: HashSet<String> = HashSet::from([primary_terms.clone()]);
            let own = name_candidates(group);
            let secondary = own
                .iter()
                .chain(&everyone)
                .filter(|p| {
                    let key = terms_key(p);
                    !taken.contains(&key) && !primaries.contains(key.as_str()) && seen.insert(key)
                })
                .take(max_secondary)
                .map(|p| p.to_string())
                .collect();
            IntentPlan {
                intent: *intent,
                primary: primary.to_string(),
                primary_terms: primary_terms.clone(),
                secondary,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(phrase: &str, volume: i64, intent: Option<Intent>) -> Member<'_> {
        Member {
            phrase,
            volume,
            intent,
        }
    }

    #[test]
    fn names_come_from_the_core_phrase_without_modifiers() {
        let members = [
            m("best trail running shoes", 720, None),
            m("trail running shoes", 300, None),
            m("trail running shoe", 100, None),
            m("waterproof trail running shoes", 2400, None),
        ];
        assert_eq!(name_candidates(&members)[0], "trail running shoes");
    }

    #[test]
    fn one_plan_per_intent_with_unique_primaries() {
        let members = [
            m(
                "best espresso machine descaler",
                500,
                Some(Intent::Commercial),
            ),
            m("descale espresso machine", 900, Some(Intent::Informational)),
            m(
                "how to descale an espresso machine",
                400,
                Some(Intent::Informational),
            ),
            m("espresso machine descaling", 50, None),
            m("espresso descaler", 80, Some(Intent::Commercial)),
        ];
        let plans = plan_intents(&members, &HashSet::new(), &HashSet::new(), 3);
        assert_eq!(plans.len(), 2, "{plans:?}");
        assert_eq!(plans[0].intent, Some(Intent::Informational));
        assert_eq!(plans[0].primary, "descale espresso machine");
        assert_eq!(plans[1].intent, Some(Intent::Commercial));
        // Variants of the primary are not its secondary keywords, nor another plan's primary.
        for p in &plans {
            for s in &p.secondary {
                assert_ne!(terms_key(s), p.primary_terms, "{s}");
                assert!(plans.iter().all(|q| terms_key(s) != q.primary_terms));
            }
        }
        // An intent whose keywords already have articles gets no plan.
        let taken: HashSet<String> = ["descal espresso machin".to_string()].into();
        assert_eq!(
            terms_key("descale espresso machine"),
            "descal espresso machin"
        );
        let plans = plan_intents(&members, &taken, &HashSet::new(), 3);
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].intent, Some(Intent::Commercial));
        // An intent the cluster already has an article for gets no second one, even on a
        // phrase of it that is not taken.
        let planned: HashSet<String> = ["how to descale an espresso machine".to_string()].into();
        let taken: HashSet<String> = [terms_key("how to descale an espresso machine")].into();
        let plans = plan_intents(&members, &taken, &planned, 3);
        assert_eq!(plans.len(), 1, "{plans:?}");
        assert_eq!(plans[0].intent, Some(Intent::Commercial));
    }
}
