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

    /// The cluster of each phrase, as an index into the clusters found (numbered from 0 in the
    /// order their first keyword appears in `phrases`).
    pub fn cluster(&self, phrases: &[&str]) -> Vec<usize> {
        // Terms as small integers, and each phrase's sorted term ids.
        let mut ids: HashMap<String, u32> = HashMap::new();
        let signatures: Vec<Vec<u32>> = phrases
            .iter()
            .map(|p| {
                let mut sig: Vec<u32> = terms(p)
                    .into_iter()
                    .map(|t| {
                        let next = ids.len() as u32;
                        *ids.entry(t).or_insert(next)
                    })
                    .collect();
                sig.sort_unstable();
                sig
            })
            .collect();
        let mut df = vec![0u32; ids.len()];
        for sig in &signatures {
            for t in sig {
                df[*t as usize] += 1;
            }
        }
        let n = phrases.len().max(1) as f64;
        let weight = |t: u32| (1.0 + n / f64::from(df[t as usize])).ln();

        // Keywords with the same terms are one group, kept in order of first appearance.
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
        let mut names = vec![""; ids.len()];
        for (term, id) in &ids {
            names[*id as usize] = term.as_str();
        }
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

        let mut clusters: Vec<Cluster> = Vec::new();
        let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut cluster_of_group = vec![0usize; groups.len()];
        // Per cluster, the last group that scored it (a generation counter, never cleared).
        let mut seen: Vec<u64> = Vec::new();
        let mut seen_gen = 0u64;
        for g in order {
            let (sig, members) = &groups[g];
            let vector: Vec<(u32, f64)> = sig.iter().map(|t| (*t, weight(*t))).collect();
            let norm = vector.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            let mut anchors = vector.clone();
            anchors.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| names[a.0 as usize].cmp(names[b.0 as usize]))
            });
            let mut best: Option<(usize, f64)> = None;
            seen_gen += 1;
            for (t, _) in anchors.iter().take(ANCHORS) {
                for &c in postings.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                    // A cluster reached through two anchors is scored once.
                    if seen[c] == seen_gen {
                        continue;
                    }
                    seen[c] = seen_gen;
                    let score = clusters[c].cosine(&vector, norm);
                    let better = match best {
                        None => true,
                        Some((bc, bs)) => score > bs || (score == bs && c < bc),
                    };
                    if better {
                        best = Some((c, score));
                    }
                }
            }
            let c = match best {
                Some((c, score)) if score >= self.threshold && !sig.is_empty() => c,
                _ => {
                    clusters.push(Cluster {
                        centroid: HashMap::new(),
                        norm: 0.0,
                    });
                    seen.push(0);
                    clusters.len() - 1
                }
            };
            // A term is posted once per cluster: when it first enters the centroid.
            for (t, _) in &vector {
                if !clusters[c].centroid.contains_key(t) {
                    postings.entry(*t).or_default().push(c);
                }
            }
            clusters[c].add(&vector, members.len() as f64);
            cluster_of_group[g] = c;
        }

        // Number clusters by their first keyword in the input.
        let mut renumber: HashMap<usize, usize> = HashMap::new();
        let mut out = vec![0usize; phrases.len()];
        for (i, sig) in signatures.iter().enumerate() {
            let c = cluster_of_group[group_of[sig.as_slice()]];
            let next = renumber.len();
            out[i] = *renumber.entry(c).or_insert(next);
        }
        out
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
}
