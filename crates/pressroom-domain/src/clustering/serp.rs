//! SERP-overlap clustering: two keywords are one search intent when Google answers them with
//! enough of the same pages. A keyword joins a cluster when it shares at least `min_shared` of
//! its top-10 result URLs with one of the cluster's keywords (linked keywords form one
//! cluster, like the "soft" SERP clustering of rank-tracking tools).
//!
//! Cost: an inverted index from URL to keywords; each keyword counts its overlaps through the
//! postings of its at most 10 URLs, so the work is the sum over URLs of (keywords ranking it)²,
//! linear in the list unless one URL ranks for a large share of it. Connected components are
//! found with union-find, which is independent of input order.

use super::Placement;
use std::collections::HashMap;

/// The result positions compared per keyword.
pub const SERP_TOP: usize = 10;

#[derive(Debug, Clone, Copy)]
pub struct SerpClusterer {
    min_shared: usize,
}

/// Union-find with the lower root kept, so roots do not depend on the order of unions.
struct Components(Vec<usize>);

impl Components {
    fn new(n: usize) -> Components {
        Components((0..n).collect())
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        self.0[hi] = lo;
    }
}

/// Keywords' URL sets as interned ids (the first `SERP_TOP` distinct URLs of each).
fn interned(lists: &[&[String]]) -> Vec<Vec<u32>> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    lists
        .iter()
        .map(|urls| {
            let mut set: Vec<u32> = Vec::new();
            for u in urls.iter() {
                let next = ids.len() as u32;
                let id = *ids.entry(u.as_str()).or_insert(next);
                if !set.contains(&id) && set.len() < SERP_TOP {
                    set.push(id);
                }
            }
            set
        })
        .collect()
}

/// For each keyword in `of`, the keywords in `among` (by index) sharing at least `min` URLs,
/// with the count.
fn overlaps(of: &[Vec<u32>], among: &[Vec<u32>], min: usize) -> Vec<Vec<(usize, usize)>> {
    let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
    for (k, set) in among.iter().enumerate() {
        for u in set {
            postings.entry(*u).or_default().push(k);
        }
    }
    of.iter()
        .map(|set| {
            let mut counts: HashMap<usize, usize> = HashMap::new();
            for u in set {
                for &k in postings.get(u).map(Vec::as_slice).unwrap_or(&[]) {
                    *counts.entry(k).or_default() += 1;
                }
            }
            let mut linked: Vec<(usize, usize)> =
                counts.into_iter().filter(|(_, c)| *c >= min).collect();
            linked.sort_unstable();
            linked
        })
        .collect()
}

impl SerpClusterer {
    /// `min_shared`: the URLs two keywords must share (at least 1; settings allow 1..=10).
    pub fn new(min_shared: usize) -> SerpClusterer {
        SerpClusterer {
            min_shared: min_shared.max(1),
        }
    }

    pub fn min_shared(&self) -> usize {
        self.min_shared
    }

    /// The cluster of each keyword, given its result URLs best first, numbered from 0 in the
    /// order their first keyword appears. A keyword without URLs is alone.
    pub fn cluster(&self, urls: &[&[String]]) -> Vec<usize> {
        self.place(&[], urls)
            .into_iter()
            .map(|p| match p {
                Placement::New(c) | Placement::Existing(c) => c,
            })
            .collect()
    }

    /// Incremental clustering: where each of `new` goes, given the clusters a site already has
    /// (`existing[i]` is the URL lists of cluster i's keywords). Existing clusters are never
    /// split or merged. A new keyword linked to keywords of existing clusters joins the one
    /// it shares most URLs with (ties: the lower index); new keywords linked to each other
    /// form one cluster, which joins an existing cluster when one of them did; the rest form
    /// new clusters, numbered from 0 in the order their first keyword appears in `new`.
    /// Keywords with no URLs each get their own new cluster (they need another method).
    pub fn place(&self, existing: &[Vec<&[String]>], new: &[&[String]]) -> Vec<Placement> {
        let all: Vec<&[String]> = existing
            .iter()
            .flatten()
            .copied()
            .chain(new.iter().copied())
            .collect();
        let sets = interned(&all);
        let old_n = all.len() - new.len();
        let cluster_of_old: Vec<usize> = existing
            .iter()
            .enumerate()
            .flat_map(|(c, m)| std::iter::repeat_n(c, m.len()))
            .collect();
        let (old_sets, new_sets) = sets.split_at(old_n);

        // Straight links to existing keywords: the best cluster by its best keyword.
        let best_cluster =
            |links: &[(usize, usize)], cluster_of: &dyn Fn(usize) -> Option<usize>| {
                let mut best: Option<(usize, usize)> = None;
                for &(k, shared) in links {
                    if let Some(c) = cluster_of(k) {
                        let better = match best {
                            None => true,
                            Some((bs, bc)) => shared > bs || (shared == bs && c < bc),
                        };
                        if better {
                            best = Some((shared, c));
                        }
                    }
                }
                best.map(|(_, c)| c)
            };
        let to_old = overlaps(new_sets, old_sets, self.min_shared);
        let mut placed: Vec<Option<usize>> = to_old
            .iter()
            .map(|links| best_cluster(links, &|k| Some(cluster_of_old[k])))
            .collect();

        // Links among new keywords: components of the unplaced ones, which follow a placed
        // keyword they link to.
        let among = overlaps(new_sets, new_sets, self.min_shared);
        let mut comps = Components::new(new.len());
        for (i, links) in among.iter().enumerate() {
            for &(j, _) in links {
                if i != j && placed[i].is_none() && placed[j].is_none() {
                    comps.union(i, j);
                }
            }
        }
        let mut follow: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        for (i, links) in among.iter().enumerate() {
            if placed[i].is_some() {
                continue;
            }
            let root = comps.find(i);
            for &(j, shared) in links {
                if let Some(c) = placed[j] {
                    follow.entry(root).or_default().push((shared, c));
                }
            }
        }
        let mut renumber: HashMap<usize, usize> = HashMap::new();
        let first: Vec<Option<usize>> = placed.clone();
        (0..new.len())
            .map(|i| {
                if let Some(c) = first[i] {
                    return Placement::Existing(c);
                }
                let root = comps.find(i);
                if let Some(links) = follow.get(&root) {
                    // Most shared URLs, then the lower cluster index.
                    let best = links
                        .iter()
                        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                        .map(|l| l.1);
                    if let Some(c) = best {
                        placed[i] = Some(c);
                        return Placement::Existing(c);
                    }
                }
                let next = renumber.len();
                Placement::New(*renumber.entry(root).or_insert(next))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Placement::*;

    fn urls(ids: &[u32]) -> Vec<String> {
        ids.iter()
            .map(|i| format!("https://site{i}.example/page"))
            .collect()
    }

    #[test]
    fn keywords_sharing_enough_urls_meet() {
        let lists = [
            urls(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            urls(&[50, 51, 52, 53, 54, 55, 56, 57, 58, 59]),
            urls(&[1, 2, 3, 4, 11, 12, 13, 14, 15, 16]),
            urls(&[1, 2, 3, 60, 61, 62, 63, 64, 65, 66]),
            vec![],
            urls(&[50, 51, 52, 53, 70]),
            vec![],
        ];
        let refs: Vec<&[String]> = lists.iter().map(Vec::as_slice).collect();
        let c = SerpClusterer::new(4).cluster(&refs);
        // 0 and 2 share 4; 3 shares only 3 with either; 1 and 5 share 4; no URLs: alone.
        assert_eq!(c, vec![0, 1, 0, 2, 3, 1, 4]);
        // Linked keywords chain: 2 links 0 and a keyword that shares nothing with 0.
        let chain = [
            urls(&[1, 2, 3, 4, 5]),
            urls(&[1, 2, 3, 4, 20, 21, 22, 23]),
            urls(&[20, 21, 22, 23, 30]),
        ];
        let refs: Vec<&[String]> = chain.iter().map(Vec::as_slice).collect();
        assert_eq!(SerpClusterer::new(4).cluster(&refs), vec![0, 0, 0]);
        // Only the top 10 count, and a URL listed twice counts once.
        let long = [
            urls(&[1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
            urls(&[11, 12, 13, 14]),
        ];
        let refs: Vec<&[String]> = long.iter().map(Vec::as_slice).collect();
        assert_eq!(SerpClusterer::new(3).cluster(&refs), vec![0, 1]);
    }

    #[test]
    fn the_grouping_does_not_depend_on_input_order() {
        let lists: Vec<Vec<String>> = (0..40u32)
            .map(|i| urls(&[i % 7, i % 7 + 100, i % 7 + 200, i % 5 + 300, i]))
            .collect();
        let refs: Vec<&[String]> = lists.iter().map(Vec::as_slice).collect();
        let a = SerpClusterer::new(3).cluster(&refs);
        let mut rev = refs.clone();
        rev.reverse();
        let b = SerpClusterer::new(3).cluster(&rev);
        for i in 0..40 {
            for j in 0..40 {
                assert_eq!(a[i] == a[j], b[39 - i] == b[39 - j]);
            }
        }
        assert_eq!(a.iter().max(), Some(&6));
    }

    #[test]
    fn new_keywords_join_existing_clusters_or_form_their_own() {
        let c0 = [urls(&[1, 2, 3, 4, 5, 6])];
        let c1 = [urls(&[20, 21, 22, 23, 24])];
        let existing = vec![
            c0.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            c1.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        ];
        let new = [
            urls(&[1, 2, 3, 4, 40]),             // joins 0
            urls(&[90, 91, 92, 93]),             // new cluster 0
            urls(&[1, 2, 3, 4, 40, 41, 42]),     // joins 0 directly
            urls(&[40, 41, 42, 60, 61]),         // links only to a keyword that joined 0: 0
            urls(&[90, 91, 92, 93, 94]),         // with the second: new 0
            vec![],                              // no URLs: its own new cluster
            urls(&[20, 21, 22, 23, 1, 2, 3, 4]), // 4 with each: the lower cluster wins
        ];
        let refs: Vec<&[String]> = new.iter().map(Vec::as_slice).collect();
        let placed = SerpClusterer::new(3).place(&existing, &refs);
        assert_eq!(
            placed,
            vec![
                Existing(0),
                New(0),
                Existing(0),
                Existing(0),
                New(0),
                New(1),
                Existing(0)
            ]
        );
    }
}
