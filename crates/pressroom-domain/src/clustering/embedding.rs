//! Clustering keywords by their embedding vectors: average-linkage agglomeration at a cosine
//! threshold, restricted to pairs that share a block, so no n x n matrix is ever built.
//!
//! How it runs, for n vectors of d dimensions:
//! 1. Blocking (`blocking.rs`): vectors are sketched to 96 dimensions (O(n·96·d)); about
//!    2·sqrt(n) pivots are taken from the canonical order (a hash of the vectors' bits) and each
//!    vector joins the blocks of its 3 nearest pivots (O(n^1.5) sketch products); oversized
//!    blocks are split again within themselves.
//! 2. First scores: each pair sharing a block whose sketches are within 0.25 of the threshold
//!    is scored exactly: the average cosine between two clusters of unit vectors is
//!    `sum_a · sum_b / (n_a · n_b)`, exact from the clusters' vector sums. Pairs reaching the
//!    threshold go in a max-heap and in each other's neighbour lists: O(n^1.5) sketch products
//!    plus O(pairs kept · d).
//! 3. Average linkage: the best pair merges. By the Lance-Williams rule the merged cluster's
//!    linkage with a third is the size-weighted mean of the two it replaces, so only the pair's
//!    neighbours can still reach the threshold; only they are rescored.
//!
//! Memory: O(n·96) for the sketches, the neighbour lists and heap (pairs above the threshold),
//! and one sum of d floats per cluster of two or more vectors (singletons read the caller's
//! vectors). No n x n matrix. On 2 shared cores, 20,000 vectors cluster in seconds
//! (docs/BENCHMARKS.md). Deterministic and independent of input order: everything runs in the
//! canonical order, identical vectors are one group, ties break on that order, and threads
//! only split work whose results are put back in order.

use super::Placement;
use super::blocking::{SKETCH_MARGIN, Sketches, blocks, dot, inverse_norm, par_map};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// The average cosine similarity two groups need to merge. The usual cut for sentence
/// embeddings is a cosine distance of 0.3 (0.7 here), but keywords are short and one intent's
/// phrasings are further apart than that: on the labelled set with all-MiniLM-L6-v2, 0.7 scores
/// ARI 0.648 in 174 clusters, and 0.425-0.55 all score 0.72-0.75 (48 intents); 0.45 sits in
/// that plateau, away from its steep low edge (ARI 0.738, 59 clusters). docs/BENCHMARKS.md has
/// the table.
pub const EMBEDDING_THRESHOLD: f64 = 0.45;

#[derive(Debug, Clone, Copy)]
pub struct EmbeddingClusterer {
    threshold: f64,
}

impl Default for EmbeddingClusterer {
    fn default() -> Self {
        EmbeddingClusterer::new(EMBEDDING_THRESHOLD)
    }
}

/// A stable hash of a vector's bits (FNV-1a), the canonical order's first key.
fn bits_hash(v: &[f32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in v {
        for b in x.to_bits().to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn cmp_bits(a: &[f32], b: &[f32]) -> Ordering {
    a.iter()
        .map(|x| x.to_bits())
        .cmp(b.iter().map(|x| x.to_bits()))
}

/// A cluster's vectors summed after scaling each to unit length.
enum Sum<'a> {
    /// One group of identical vectors: its vector and 1 / its length.
    One(&'a [f32], f32),
    Many(Vec<f32>),
}

struct Group<'a> {
    sum: Sum<'a>,
    size: f64,
}

impl<'a> Group<'a> {
    fn single(v: &'a [f32]) -> Group<'a> {
        Group {
            sum: Sum::One(v, inverse_norm(v)),
            size: 1.0,
        }
    }

    /// The dot product of the two groups' sums.
    fn sum_dot(&self, other: &Group) -> f64 {
        let scale = |g: &Group| match g.sum {
            Sum::One(_, n) => f64::from(n) * g.size,
            Sum::Many(_) => 1.0,
        };
        let raw = match (&self.sum, &other.sum) {
            (Sum::One(a, _), Sum::One(b, _)) => dot(a, b),
            (Sum::One(a, _), Sum::Many(b)) | (Sum::Many(b), Sum::One(a, _)) => dot(a, b),
            (Sum::Many(a), Sum::Many(b)) => dot(a, b),
        };
        f64::from(raw) * scale(self) * scale(other)
    }

    /// The average cosine between the members of two groups (each copy counted).
    fn linkage(&self, other: &Group) -> f64 {
        let pairs = self.size * other.size;
        if pairs <= 0.0 {
            return f64::NEG_INFINITY;
        }
        self.sum_dot(other) / pairs
    }

    fn unit_sum(&self) -> Vec<f32> {
        match &self.sum {
            Sum::One(v, n) => v.iter().map(|x| x * n * self.size as f32).collect(),
            Sum::Many(s) => s.clone(),
        }
    }

    fn merge(&mut self, other: &Group) {
        let mut s = self.unit_sum();
        let o = other.unit_sum();
        for (a, b) in s.iter_mut().zip(&o) {
            *a += b;
        }
        self.sum = Sum::Many(s);
        self.size += other.size;
    }
}

/// Vectors in canonical order with identical ones merged: the groups, and each input's group.
fn canonical_groups<'a>(vectors: &[&'a [f32]]) -> (Vec<Group<'a>>, Vec<usize>) {
    let hashes: Vec<u64> = vectors.iter().map(|v| bits_hash(v)).collect();
    let mut order: Vec<usize> = (0..vectors.len()).collect();
    order.sort_by(|&a, &b| {
        hashes[a]
            .cmp(&hashes[b])
            .then_with(|| cmp_bits(vectors[a], vectors[b]))
    });
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of = vec![0usize; vectors.len()];
    let mut last: Option<usize> = None;
    for i in order {
        match last {
            Some(l) if cmp_bits(vectors[l], vectors[i]) == Ordering::Equal => {
                if let Some(g) = groups.last_mut() {
                    g.size += 1.0;
                }
            }
            _ => {
                groups.push(Group::single(vectors[i]));
                last = Some(i);
            }
        }
        group_of[i] = groups.len() - 1;
    }
    // A group's sum is its vector times its copies, kept implicit in `One` by `size`.
    (groups, group_of)
}

/// Each group's vector (all groups are single vectors before merging).
fn representatives<'a>(groups: &[Group<'a>]) -> Vec<&'a [f32]> {
    groups
        .iter()
        .map(|g| match g.sum {
            Sum::One(v, _) => v,
            Sum::Many(_) => &[],
        })
        .collect()
}

/// A candidate merge, best first: higher linkage, then lower ids.
struct Pair {
    score: f64,
    a: usize,
    b: usize,
    versions: (u32, u32),
}

impl PartialEq for Pair {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pair {}
impl PartialOrd for Pair {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pair {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

impl EmbeddingClusterer {
    /// `threshold` is the average cosine in -1..=1 two groups need to merge: higher makes
    /// more, tighter clusters.
    pub fn new(threshold: f64) -> EmbeddingClusterer {
        EmbeddingClusterer { threshold }
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The cluster of each vector, numbered from 0 in the order their first vector appears.
    /// All vectors should have the same dimensions; a zero or non-finite one is alone.
    pub fn cluster(&self, vectors: &[&[f32]]) -> Vec<usize> {
        let (mut groups, group_of) = canonical_groups(vectors);
        let root = self.agglomerate(&mut groups);
        let mut renumber: HashMap<usize, usize> = HashMap::new();
        group_of
            .iter()
            .map(|g| {
                let next = renumber.len();
                *renumber.entry(root[*g]).or_insert(next)
            })
            .collect()
    }

    /// Average linkage over groups sharing a block; returns each group's final cluster (the
    /// id of one of its groups).
    fn agglomerate(&self, groups: &mut [Group]) -> Vec<usize> {
        let n = groups.len();
        let mut root: Vec<usize> = (0..n).collect();
        if n < 2 {
            return root;
        }
        let sketches = Sketches::new(&representatives(groups));
        let members = blocks(&sketches, n);
        let mut blocks_of: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (b, list) in members.iter().enumerate() {
            for g in list {
                blocks_of[*g].push(b as u32);
            }
        }
        // Neighbours: groups whose linkage reached the threshold. Only they can reach it after
        // a merge: the merged linkage with a third group is the size-weighted mean of the two
        // linkages (Lance-Williams), so two below the threshold stay below it.
        let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
        let linked: Vec<Vec<(usize, f64)>> = {
            let groups = &*groups;
            par_map(n, |a| {
                let mut cands: Vec<usize> = blocks_of[a]
                    .iter()
                    .flat_map(|b| members[*b as usize].iter().copied())
                    .filter(|c| *c > a)
                    .collect();
                cands.sort_unstable();
                cands.dedup();
                cands
                    .into_iter()
                    .filter(|c| sketches.cosine(a, *c) >= self.threshold - SKETCH_MARGIN)
                    .map(|c| (c, groups[a].linkage(&groups[c])))
                    .filter(|(_, score)| *score >= self.threshold)
                    .collect()
            })
        };
        let mut heap = BinaryHeap::new();
        for (a, links) in linked.into_iter().enumerate() {
            for (c, score) in links {
                neighbours[a].push(c);
                neighbours[c].push(a);
                heap.push(Pair {
                    score,
                    a,
                    b: c,
                    versions: (0, 0),
                });
            }
        }
        // Per group, the last merge that scored it, so a candidate listed twice is scored once.
        let mut seen = vec![0u64; n];
        let mut scan = 0u64;
        let mut alive = vec![true; n];
        let mut version = vec![0u32; n];
        while let Some(p) = heap.pop() {
            if !alive[p.a] || !alive[p.b] || (version[p.a], version[p.b]) != p.versions {
                continue;
            }
            // Merge b into a (a < b), keeping the lower id.
            let (a, b) = (p.a, p.b);
            let (left, right) = groups.split_at_mut(b);
            left[a].merge(&right[0]);
            right[0].sum = Sum::Many(Vec::new());
            alive[b] = false;
            root[b] = a;
            version[a] += 1;
            let mut candidates = std::mem::take(&mut neighbours[a]);
            candidates.append(&mut neighbours[b]);
            scan += 1;
            let mut kept = Vec::new();
            for c in candidates {
                if c == a || !alive[c] || seen[c] == scan {
                    continue;
                }
                seen[c] = scan;
                let score = groups[a].linkage(&groups[c]);
                if score >= self.threshold {
                    kept.push(c);
                    neighbours[c].push(a);
                    let (x, y) = (a.min(c), a.max(c));
                    heap.push(Pair {
                        score,
                        a: x,
                        b: y,
                        versions: (version[x], version[y]),
                    });
                }
            }
            neighbours[a] = kept;
        }
        // Follow merges to the surviving group.
        for g in 0..n {
            let mut r = root[g];
            while root[r] != r {
                r = root[r];
            }
            root[g] = r;
        }
        root
    }

    /// Incremental clustering: where each of `new` goes, given the clusters a site already has
    /// (`existing[i]` is cluster i's vectors). Existing clusters are never split or merged. A
    /// new vector joins the existing cluster it has the highest average cosine with when that
    /// reaches the threshold (candidates: clusters with a member in its blocks); the rest are
    /// clustered among themselves, numbered from 0 in the order their first vector appears in
    /// `new`. Each new vector is decided on its own against the fixed clusters, so the result
    /// does not depend on the order of `new`.
    pub fn place(&self, existing: &[Vec<&[f32]>], new: &[&[f32]]) -> Vec<Placement> {
        let mut all: Vec<&[f32]> = existing.iter().flatten().copied().collect();
        let old_count = all.len();
        all.extend_from_slice(new);
        let (groups, group_of) = canonical_groups(&all);
        let members = blocks(&Sketches::new(&representatives(&groups)), groups.len());
        let mut block_of: Vec<Vec<u32>> = vec![Vec::new(); groups.len()];
        for (b, list) in members.iter().enumerate() {
            for g in list {
                block_of[*g].push(b as u32);
            }
        }
        // Existing clusters as sums, and the clusters with a member in each block.
        let mut sums: Vec<Option<Group>> = Vec::with_capacity(existing.len());
        let mut in_block: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut i = 0;
        for (c, members) in existing.iter().enumerate() {
            let mut sum: Option<Group> = None;
            for v in members {
                let single = Group::single(v);
                match &mut sum {
                    None => sum = Some(single),
                    Some(s) => s.merge(&single),
                }
                for &b in &block_of[group_of[i]] {
                    let list = in_block.entry(b).or_default();
                    if list.last() != Some(&c) {
                        list.push(c);
                    }
                }
                i += 1;
            }
            sums.push(sum);
        }
        let mut placed: Vec<Option<usize>> = Vec::with_capacity(new.len());
        for k in 0..new.len() {
            let single = Group::single(new[k]);
            let mut best: Option<(f64, usize)> = None;
            let mut cands: Vec<usize> = block_of[group_of[old_count + k]]
                .iter()
                .flat_map(|b| in_block.get(b).map(Vec::as_slice).unwrap_or(&[]))
                .copied()
                .collect();
            cands.sort_unstable();
            cands.dedup();
            for c in cands {
                let Some(sum) = &sums[c] else { continue };
                let score = single.linkage(sum);
                if score >= self.threshold && best.is_none_or(|(bs, _)| score > bs) {
                    best = Some((score, c));
                }
            }
            placed.push(best.map(|(_, c)| c));
        }
        let rest: Vec<&[f32]> = new
            .iter()
            .zip(&placed)
            .filter(|(_, p)| p.is_none())
            .map(|(v, _)| *v)
            .collect();
        let mut fresh = self.cluster(&rest).into_iter();
        placed
            .into_iter()
            .map(|p| match p {
                Some(c) => Placement::Existing(c),
                // `rest` holds exactly the unplaced vectors, in order.
                None => Placement::New(fresh.next().unwrap_or(0)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit-ish vector near axis `axis` of `dims`, nudged by `wobble` on the next axis.
    fn near(axis: usize, wobble: f32, dims: usize) -> Vec<f32> {
        let mut v = vec![0.0; dims];
        v[axis] = 1.0;
        v[(axis + 1) % dims] = wobble;
        v
    }

    #[test]
    fn close_vectors_meet_and_far_ones_stay_apart() {
        let vs = [
            near(0, 0.1, 8),
            near(3, 0.0, 8),
            near(0, 0.2, 8),
            near(3, 0.15, 8),
            near(6, 0.0, 8),
            near(0, 0.0, 8),
            vec![0.0; 8],
        ];
        let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
        let c = EmbeddingClusterer::default().cluster(&refs);
        assert_eq!(c, vec![0, 1, 0, 1, 2, 0, 3]);
    }

    #[test]
    fn the_grouping_does_not_depend_on_input_order() {
        // 300 points around 30 random-ish centres in 16 dimensions.
        let mut seed = 7u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let centres: Vec<Vec<f32>> = (0..30).map(|_| (0..16).map(|_| rnd()).collect()).collect();
        let vs: Vec<Vec<f32>> = (0..300)
            .map(|i| centres[i % 30].iter().map(|x| x + 0.08 * rnd()).collect())
            .collect();
        let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
        let clusterer = EmbeddingClusterer::new(0.8);
        let a = clusterer.cluster(&refs);
        let mut rev = refs.clone();
        rev.reverse();
        let b = clusterer.cluster(&rev);
        let n = refs.len();
        for i in 0..n {
            for j in 0..n {
                assert_eq!(a[i] == a[j], b[n - 1 - i] == b[n - 1 - j], "{i} {j}");
            }
        }
        // Points of one centre end together; the 30 centres are not all lumped.
        let ari = crate::clustering::adjusted_rand_index(
            &(0..300).map(|i| i % 30).collect::<Vec<_>>(),
            &a,
        );
        assert!(ari > 0.9, "ARI {ari}");
    }

    #[test]
    fn average_linkage_does_not_chain() {
        // A line of points each close to the next, but the ends far apart: single linkage
        // would make one cluster, average linkage must not.
        let vs: Vec<Vec<f32>> = (0..12)
            .map(|i| {
                let a = i as f32 * 0.25;
                vec![a.cos(), a.sin()]
            })
            .collect();
        let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
        let c = EmbeddingClusterer::new(0.9).cluster(&refs);
        assert_ne!(c[0], c[11]);
        assert_eq!(c[0], c[1]);
    }

    #[test]
    fn new_vectors_join_existing_clusters_or_form_their_own() {
        use Placement::*;
        let (a0, a1, b0) = (near(0, 0.0, 8), near(0, 0.1, 8), near(4, 0.0, 8));
        let existing = vec![vec![a0.as_slice(), a1.as_slice()], vec![b0.as_slice()]];
        let new = [
            near(0, 0.2, 8),
            near(2, 0.0, 8),
            near(4, 0.1, 8),
            near(2, 0.1, 8),
        ];
        let refs: Vec<&[f32]> = new.iter().map(Vec::as_slice).collect();
        let placed = EmbeddingClusterer::default().place(&existing, &refs);
        assert_eq!(placed, vec![Existing(0), New(0), Existing(1), New(0)]);
    }

    /// Timing at 20,000 vectors, run on demand with optimisation:
    /// `cargo test -p pressroom-domain --lib --config 'profile.dev.package.pressroom-domain.opt-level=3' -- --ignored --nocapture timing`
    #[test]
    #[ignore]
    fn timing_twenty_thousand_vectors() {
        for dims in [384usize, 1536] {
            let mut seed = 3u64;
            let mut rnd = move || {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((seed >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            };
            // 2,000 intents of 10 phrasings each, spread like real keyword embeddings: each
            // phrasing shares most of its direction with its intent's centre.
            let centres: Vec<Vec<f32>> = (0..2000)
                .map(|_| (0..dims).map(|_| rnd()).collect())
                .collect();
            let vs: Vec<Vec<f32>> = (0..20_000)
                .map(|i| centres[i % 2000].iter().map(|x| x + 0.6 * rnd()).collect())
                .collect();
            let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
            let started = std::time::Instant::now();
            let c = EmbeddingClusterer::default().cluster(&refs);
            let secs = started.elapsed().as_secs_f64();
            let truth: Vec<usize> = (0..20_000).map(|i| i % 2000).collect();
            let clusters = c.iter().collect::<std::collections::HashSet<_>>().len();
            let ari = crate::clustering::adjusted_rand_index(&truth, &c);
            println!("dims {dims}: {secs:.2} s, {clusters} clusters, ARI {ari:.3}");
        }
    }

    #[test]
    fn thousands_of_vectors_in_tight_groups_are_found_through_the_blocks() {
        // 5,000 vectors of 64 dimensions in 500 tight groups: blocking must not lose them
        // (20,000 are timed by `pressroom-bench cluster`; a debug build is slow).
        let mut seed = 11u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let centres: Vec<Vec<f32>> = (0..500).map(|_| (0..64).map(|_| rnd()).collect()).collect();
        let vs: Vec<Vec<f32>> = (0..5_000)
            .map(|i| centres[i % 500].iter().map(|x| x + 0.03 * rnd()).collect())
            .collect();
        let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
        let c = EmbeddingClusterer::default().cluster(&refs);
        let truth: Vec<usize> = (0..5_000).map(|i| i % 500).collect();
        let ari = crate::clustering::adjusted_rand_index(&truth, &c);
        assert!(ari > 0.95, "ARI {ari}");
    }
}
