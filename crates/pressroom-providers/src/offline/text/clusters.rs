//! Clusters: lexical clustering of keywords by shared tokens.

use super::words::*;
use pressroom_domain::ai::{ClusterInput, ClusterItem, ClusterOutput};
use std::collections::{BTreeMap, BTreeSet};

const MAX_CLUSTER: usize = 10;
const JOIN_THRESHOLD_PCT: usize = 25;

struct Draft {
    members: Vec<usize>,
    counts: BTreeMap<String, usize>,
}

impl Draft {
    /// Tokens shared by at least half the members: what the cluster is about.
    fn core(&self) -> BTreeSet<&str> {
        let n = self.members.len();
        self.counts
            .iter()
            .filter(|(_, c)| **c * 2 >= n)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    fn add(&mut self, idx: usize, toks: &BTreeSet<String>) {
        self.members.push(idx);
        for t in toks {
            *self.counts.entry(t.clone()).or_default() += 1;
        }
    }
}

/// Jaccard similarity in whole percent (integers keep the result platform-independent).
fn jaccard_pct(a: &BTreeSet<String>, b: &BTreeSet<&str>) -> usize {
    let inter = a.iter().filter(|t| b.contains(t.as_str())).count();
    let union = a.len() + b.len() - inter;
    (inter * 100).checked_div(union).unwrap_or(0)
}

/// Lexical clustering: each keyword joins the cluster whose core tokens it overlaps most
/// (Jaccard >= 25%), central keywords (sharing tokens with many others) seeding clusters
/// first. Every keyword lands in exactly one cluster, copied exactly as given.
pub fn cluster(input: &ClusterInput) -> ClusterOutput {
    let mut seen = BTreeSet::new();
    let keywords: Vec<&str> = input
        .keywords
        .iter()
        .map(|k| k.as_str())
        .filter(|k| !k.trim().is_empty() && seen.insert(k.to_string()))
        .collect();
    let toks: Vec<BTreeSet<String>> = keywords
        .iter()
        .map(|k| tokens(k).into_iter().collect())
        .collect();
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &toks {
        for w in t {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut order: Vec<usize> = (0..keywords.len()).collect();
    let centrality = |i: usize| toks[i].iter().map(|w| df[w.as_str()]).sum::<usize>();
    order.sort_by_key(|&i| (std::cmp::Reverse(centrality(i)), i));

    let mut drafts: Vec<Draft> = Vec::new();
    for &i in &order {
        let best = drafts
            .iter()
            .enumerate()
            .filter(|(_, d)| d.members.len() < MAX_CLUSTER)
            .map(|(ci, d)| (jaccard_pct(&toks[i], &d.core()), ci))
            .filter(|(score, _)| *score >= JOIN_THRESHOLD_PCT)
            .max_by_key(|&(score, ci)| (score, std::cmp::Reverse(ci)));
        match best {
            Some((_, ci)) => drafts[ci].add(i, &toks[i]),
            None => {
                let mut d = Draft {
                    members: vec![],
                    counts: BTreeMap::new(),
                };
                d.add(i, &toks[i]);
                drafts.push(d);
            }
        }
    }
    // Singletons with any shared token join the closest cluster that has room.
    let mut merged: Vec<Draft> = Vec::new();
    let (singles, groups): (Vec<Draft>, Vec<Draft>) =
        drafts.into_iter().partition(|d| d.members.len() == 1);
    merged.extend(groups);
    for s in singles {
        let i = s.members[0];
        let target = merged
            .iter()
            .enumerate()
            .filter(|(_, d)| d.members.len() < MAX_CLUSTER)
            .map(|(ci, d)| {
                let all: BTreeSet<&str> = d.counts.keys().map(|k| k.as_str()).collect();
                (jaccard_pct(&toks[i], &all), ci)
            })
            .filter(|(score, _)| *score > 0)
            .max_by_key(|&(score, ci)| (score, std::cmp::Reverse(ci)));
        match target {
            Some((_, ci)) => merged[ci].add(i, &toks[i]),
            None => merged.push(s),
        }
    }
    for d in &mut merged {
        d.members.sort_unstable();
    }
    merged.sort_by_key(|d| d.members[0]);

    let mut names = BTreeSet::new();
    let clusters = merged
        .iter()
        .map(|d| {
            let base = cluster_name(d, &keywords, &toks);
            let mut name = base.clone();
            let mut n = 2;
            while !names.insert(name.to_lowercase()) {
                name = format!("{base} {n}");
                n += 1;
            }
            let kws: Vec<String> = d.members.iter().map(|&i| keywords[i].to_string()).collect();
            ClusterItem {
                description: cluster_description(&name, &kws),
                name,
                keywords: kws,
            }
        })
        .collect();
    ClusterOutput { clusters }
}

fn cluster_name(d: &Draft, keywords: &[&str], toks: &[BTreeSet<String>]) -> String {
    let core = d.core();
    // The member that best represents the cluster: most weight in shared tokens, then
    // shortest, then first.
    let rep = d
        .members
        .iter()
        .copied()
        .max_by_key(|&i| {
            let weight: usize = toks[i].iter().map(|t| d.counts[t]).sum();
            (
                weight,
                std::cmp::Reverse(toks[i].len()),
                std::cmp::Reverse(i),
            )
        })
        .unwrap_or(d.members[0]);
    let words: Vec<&str> = keywords[rep]
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let mut picked: Vec<&str> = Vec::new();
    for w in &words {
        let t = stem(&w.to_lowercase());
        if core.contains(t.as_str()) && !picked.iter().any(|p| stem(&p.to_lowercase()) == t) {
            picked.push(w);
        }
    }
    let text = if picked.is_empty() || d.members.len() == 1 {
        keywords[rep].trim().to_string()
    } else {
        picked.join(" ")
    };
    clip(&title_case(&text), 80)
}

fn cluster_description(name: &str, kws: &[String]) -> String {
    let topic = lower_words(name);
    match kws {
        [] => format!("Searches about {topic}."),
        [one] => format!("Searches about {topic}, such as \"{one}\"."),
        [a, b] => format!("Searches about {topic}, such as \"{a}\" and \"{b}\"."),
        [a, b, rest @ ..] => format!(
            "Searches about {topic}, such as \"{a}\", \"{b}\" and {} more.",
            rest.len()
        ),
    }
}
