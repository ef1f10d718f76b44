//! The adjusted Rand index (Hubert and Arabie, 1985): how often two labellings put pairs of
//! items together or apart, corrected for chance. 1.0 is the same grouping; about 0.0 is
//! what random groups of the same sizes score.

use std::collections::HashMap;
use std::hash::Hash;

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// The ARI of `found` against `truth`, item by item (the slices are parallel). Two labellings
/// that both put every item alone, or both put all together, agree fully (1.0).
pub fn adjusted_rand_index<A: Eq + Hash, B: Eq + Hash>(truth: &[A], found: &[B]) -> f64 {
    assert_eq!(truth.len(), found.len(), "labellings of different lists");
    let mut cells: HashMap<(&A, &B), u64> = HashMap::new();
    let mut rows: HashMap<&A, u64> = HashMap::new();
    let mut cols: HashMap<&B, u64> = HashMap::new();
    for (a, b) in truth.iter().zip(found) {
        *cells.entry((a, b)).or_default() += 1;
        *rows.entry(a).or_default() += 1;
        *cols.entry(b).or_default() += 1;
    }
    let index: f64 = cells.values().map(|&n| pairs(n)).sum();
    let row_sum: f64 = rows.values().map(|&n| pairs(n)).sum();
    let col_sum: f64 = cols.values().map(|&n| pairs(n)).sum();
    let total = pairs(truth.len() as u64);
    if total == 0.0 {
        return 1.0;
    }
    let expected = row_sum * col_sum / total;
    let max = (row_sum + col_sum) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::adjusted_rand_index as ari;

    #[test]
    fn agrees_with_known_values() {
        assert_eq!(ari(&[1, 1, 2, 2], &["a", "a", "b", "b"]), 1.0);
        // Relabelled groups are the same grouping.
        assert_eq!(ari(&[1, 1, 2, 2], &[7, 7, 3, 3]), 1.0);
        // scikit-learn's documented example: [0,0,1,1] vs [0,0,1,2] scores 0.571…
        let v = ari(&[0, 0, 1, 1], &[0, 0, 1, 2]);
        assert!((v - 0.5714285714).abs() < 1e-9, "{v}");
        // Everything lumped together against two real groups is no better than chance.
        assert!(ari(&[0, 0, 1, 1], &[0, 0, 0, 0]).abs() < 1e-9);
    }
}
