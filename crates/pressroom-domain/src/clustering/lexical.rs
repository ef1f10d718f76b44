//! Lexical clustering of a whole keyword list: keywords with the same terms form a group;
//! groups join the cluster whose centroid they are closest to (cosine over terms weighted by
//! rarity) when that closeness reaches the threshold, else start their own. Deterministic:
//! the same list gives the same clusters, whatever order it came in.

use super::terms::terms;
use std::collections::HashMap;

/// The cosine a group needs with a cluster's centroid to join it, chosen as the one that
/// maximises the adjusted Rand index on `examples/labelled-keywords.csv` (docs/BENCHMARKS.md).
pub const LEXICAL_THRESHOLD: f64 = 0.3;

/// How many of a group's rarest terms are used to find candidate clusters. A cluster close
/// enough to join shares at least one of them in practice, and rare terms have short posting
/// lists, so finding candidates stays cheap on long lists.
const ANCHORS: usize = 8;

#[derive(Debug, Clone, Copy)]
pub struct LexicalClusterer {
    threshold: f64,
}

impl Default for LexicalClusterer {
    fn default() -> Self {
        LexicalClusterer::new(LEXICAL_THRESHOLD)
    }
}

struct Cluster {
    /// Sum of its keywords' term vectors.
    centroid: HashMap<u32, f64>,
    norm: f64,
}

impl Cluster {
    fn add(&mut self, vector: &[(u32, f64)], times: f64) {
        for (t, w) in vector {
            *self.centroid.entry(*t).or_default() += w * times;
        }
        self.norm = self.centroid.values().map(|w| w * w).sum::<f64>().sqrt();
    }

    fn cosine(&self, vector: &[(u32, f64)], vector_norm: f64) -> f64 {
        if self.norm == 0.0 || vector_norm == 0.0 {
            return 0.0;
        }
        let dot: f64 = vector
            .iter()
            .map(|(t, w)| w * self.centroid.get(t).copied().unwrap_or(0.0))
            .sum();
        dot / (self.norm * vector_norm)
    }
}

impl LexicalClusterer {
    /// `threshold` is the cosine in 0..=1 a group needs to join a cluster: higher makes more,
    /// tighter clusters.
    pub fn new(threshold: f64) -> LexicalClusterer {
        LexicalClusterer { threshold }
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The cluster of each phrase, as an index into the clusters found (numbered from 0 in the
    /// order their first keyword appears in `phrases`).
    pub fn cluster(&self, phrases: &[&str]) -> Vec<usize> {
        self.place(&[], phrases)
            .into_iter()
            .map(|p| match p {
                Placement::New(c) => c,
                // With no existing clusters every placement is new.
                Placement::Existing(c) => c,
            })
            .collect()
    }

    /// Incremental clustering: where each of `new` goes, given the clusters a site already
    /// has (`existing[i]` is cluster i's keywords). Existing clusters are never split or
    /// merged; a new keyword joins one when it is close enough (or has exactly the terms of
    /// one of its keywords), else new clusters form among the new keywords, numbered from 0
    /// in the order their first keyword appears in `new`.
    pub fn place(&self, existing: &[Vec<&str>], new: &[&str]) -> Vec<Placement> {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut signature = |p: &str| -> Vec<u32> {
            let mut sig: Vec<u32> = terms(p)
                .into_iter()
                .map(|t| {
                    let next = ids.len() as u32;
                    *ids.entry(t).or_insert(next)
                })
                .collect();
            sig.sort_unstable();
            sig
        };
        let old: Vec<Vec<Vec<u32>>> = existing
            .iter()
            .map(|members| members.iter().map(|p| signature(p)).collect())
            .collect();
        let signatures: Vec<Vec<u32>> = new.iter().map(|p| signature(p)).collect();
        let mut df = vec![0u32; ids.len()];
        for sig in old.iter().flatten().chain(&signatures) {
            for t in sig {
                df[*t as usize] += 1;
            }
        }
        let n = (old.iter().map(Vec::len).sum::<usize>() + new.len()).max(1) as f64;
        let weight = |t: u32| (1.0 + n / f64::from(df[t as usize])).ln();
        let vector_of =
            |sig: &[u32]| -> Vec<(u32, f64)> { sig.iter().map(|t| (*t, weight(*t))).collect() };

        let mut names = vec![""; ids.len()];
        for (term, id) in &ids {
            names[*id as usize] = term.as_str();
        }
        let mut index = Index::default();
        // Terms of an existing keyword lead straight to its cluster.
        let mut exact: HashMap<&[u32], usize> = HashMap::new();
        for (c, members) in old.iter().enumerate() {
            index.open();
            for sig in members {
                index.add(c, &vector_of(sig), 1.0);
                exact.entry(sig.as_slice()).or_insert(c);
            }
        }
        let first_new = index.clusters.len();

        // New keywords with the same terms are one group, kept in order of first appearance.
        let mut group_of: HashMap<&[u32], usize> = HashMap::new();
        let mut groups: Vec<(&[u32], Vec<usize>)> = Vec::new();
        for (i, sig) in signatures.iter().enumerate() {
            let g = *group_of.entry(sig.as_slice()).or_insert_with(|| {
                groups.push((sig.as_slice(), Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(i);
        }
        // Bigger groups first (the surest centres), then by the terms themselves, so the
        // result does not depend on the input's order.
        let keys: Vec<Vec<&str>> = groups
            .iter()
            .map(|(sig, _)| {
                let mut k: Vec<&str> = sig.iter().map(|t| names[*t as usize]).collect();
                k.sort_unstable();
                k
            })
            .collect();
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|a, b| {
            groups[*b]
                .1
                .len()
                .cmp(&groups[*a].1.len())
                .then_with(|| keys[*a].cmp(&keys[*b]))
        });

        let mut cluster_of_group = vec![0usize; groups.len()];
        for g in order {
            let (sig, members) = &groups[g];
            let vector = vector_of(sig);
            let c = match exact.get(sig) {
                Some(c) => *c,
                None => match index.best(&vector, &names) {
                    Some((c, score)) if score >= self.threshold && !sig.is_empty() => c,
                    _ => index.open(),
                },
            };
            index.add(c, &vector, members.len() as f64);
            cluster_of_group[g] = c;
        }

        // New clusters are numbered by their first keyword in `new`.
        let mut renumber: HashMap<usize, usize> = HashMap::new();
        signatures
            .iter()
            .map(|sig| {
                let c = cluster_of_group[group_of[sig.as_slice()]];
                if c < first_new {
                    Placement::Existing(c)
                } else {
                    let next = renumber.len();
                    Placement::New(*renumber.entry(c).or_insert(next))
                }
            })
            .collect()
    }
}

/// Where a keyword goes in incremental clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Into the site's existing cluster with this index (in the list given).
    Existing(usize),
    /// Into the new cluster with this number (from 0, among the new ones).
    New(usize),
}

/// The clusters so far, with an inverted index from term to the clusters holding it.
#[derive(Default)]
struct Index {
    clusters: Vec<Cluster>,
    postings: HashMap<u32, Vec<usize>>,
    /// Per cluster, the last search that scored it (a generation counter, never cleared).
    seen: Vec<u64>,
    generation: u64,
}

impl Index {
    fn open(&mut self) -> usize {
        self.clusters.push(Cluster {
            centroid: HashMap::new(),
            norm: 0.0,
        });
        self.seen.push(0);
        self.clusters.len() - 1
    }

    fn add(&mut self, c: usize, vector: &[(u32, f64)], times: f64) {
        // A term is posted once per cluster: when it first enters the centroid.
        for (t, _) in vector {
            if !self.clusters[c].centroid.contains_key(t) {
                self.postings.entry(*t).or_default().push(c);
            }
        }
        self.clusters[c].add(vector, times);
    }

    /// The closest cluster sharing one of the vector's rarest terms, and its cosine.
    fn best(&mut self, vector: &[(u32, f64)], names: &[&str]) -> Option<(usize, f64)> {
        let norm = vector.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        let mut anchors = vector.to_vec();
        anchors.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| names[a.0 as usize].cmp(names[b.0 as usize]))
        });
        let mut best: Option<(usize, f64)> = None;
        self.generation += 1;
        for (t, _) in anchors.iter().take(ANCHORS) {
            for &c in self.postings.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                // A cluster reached through two anchors is scored once.
                if self.seen[c] == self.generation {
                    continue;
                }
                self.seen[c] = self.generation;
                let score = self.clusters[c].cosine(vector, norm);
                let better = match best {
                    None => true,
                    Some((bc, bs)) => score > bs || (score == bs && c < bc),
                };
                if better {
                    best = Some((c, score));
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::LexicalClusterer;

    #[test]
    fn variants_meet_and_neighbours_stay_apart() {
        let phrases = [
            "descale espresso machine",
            "espresso machine descaling",
            "how to descale an espresso machine 2026",
            "repot houseplant",
            "repotting houseplants",
            "how to repot a houseplant",
            "trail running shoes",
            "best trail running shoes",
            "trail running shoe",
        ];
        let c = LexicalClusterer::default().cluster(&phrases);
        assert_eq!(c, vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
        // The same list in another order gives the same grouping.
        let mut reversed = phrases;
        reversed.reverse();
        let r = LexicalClusterer::default().cluster(&reversed);
        for i in 0..phrases.len() {
            for j in 0..phrases.len() {
                let (ri, rj) = (phrases.len() - 1 - i, phrases.len() - 1 - j);
                assert_eq!(c[i] == c[j], r[ri] == r[rj]);
            }
        }
    }

    #[test]
    fn new_keywords_join_existing_clusters_or_form_their_own() {
        use super::Placement::*;
        let existing = vec![
            vec!["descale espresso machine", "espresso machine descaling"],
            vec!["trail running shoes"],
        ];
        let new = [
            "descaling espresso machines",
            "how to repot a houseplant",
            "best trail running shoe",
            "repotting houseplants",
        ];
        let placed = LexicalClusterer::default().place(&existing, &new);
        assert_eq!(placed, vec![Existing(0), New(0), Existing(1), New(0)]);
    }
}
