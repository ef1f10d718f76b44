//! Blocking for embedding clustering: which pairs of vectors are worth scoring, without
//! scoring all n² of them. Vectors are sketched to 96 dimensions by a fixed random projection;
//! about 2·sqrt(n) pivots are taken evenly from the canonical order and each vector is put in
//! the blocks of its 3 nearest pivots (O(n^1.5) sketch products); a block too large to scan
//! is split the same way within itself. Only pairs sharing a block, whose sketches come close,
//! are scored exactly.

/// Blocks each vector is put in (its nearest pivots).
pub(super) const PROBES: usize = 3;

/// Dot product in eight lanes, so the compiler vectorises it.
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        // As arrays, so the loop has no bounds checks and vectorises.
        if let (Ok(x), Ok(y)) = (<&[f32; 8]>::try_from(x), <&[f32; 8]>::try_from(y)) {
            for i in 0..8 {
                acc[i] += x[i] * y[i];
            }
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// 1 / length of a vector; 0 for a zero or non-finite one (it then matches nothing).
pub(super) fn inverse_norm(v: &[f32]) -> f32 {
    let n = dot(v, v).sqrt();
    if n.is_finite() && n > 0.0 && v.iter().all(|x| x.is_finite()) {
        1.0 / n
    } else {
        0.0
    }
}

/// `f` of each of 0..n, computed on the machine's cores in contiguous ranges and returned in
/// order, so the result does not depend on the number of threads.
pub(super) fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .clamp(1, 8);
    if threads == 1 || n < 256 {
        return (0..n).map(f).collect();
    }
    let per = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || (t * per..((t + 1) * per).min(n)).map(f).collect::<Vec<T>>())
            })
            .collect();
        parts
            .into_iter()
            // A panic in `f` is a bug; re-raise it on the calling thread.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Dimensions of the sketches that blocking and the first filter work on.
const SKETCH: usize = 96;
/// How far below the threshold a sketch's cosine may be and still be checked exactly: the
/// sketch's cosine errs by about 1/sqrt(SKETCH) = 0.1 (one standard deviation).
pub(super) const SKETCH_MARGIN: f64 = 0.25;

/// Each group's direction in `SKETCH` dimensions (a fixed random ±1 projection, unit length),
/// so the O(n^1.5) blocking work costs `SKETCH` multiplications a pair instead of d; exact
/// scores are computed only for pairs whose sketches come close (Johnson-Lindenstrauss).
/// Vectors of `SKETCH` dimensions or fewer are their own sketch.
pub(super) struct Sketches {
    dims: usize,
    data: Vec<f32>,
}

impl Sketches {
    pub(super) fn new(vectors: &[&[f32]]) -> Sketches {
        let d = vectors.iter().map(|v| v.len()).max().unwrap_or(0);
        let dims = d.clamp(1, SKETCH.max(1));
        // Signs from a fixed generator: the same projection in every run.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let signs: Vec<f32> = if d > SKETCH {
            (0..SKETCH * d)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    if state & 1 == 0 { 1.0 } else { -1.0 }
                })
                .collect()
        } else {
            Vec::new()
        };
        let rows = par_map(vectors.len(), |i| {
            let v = vectors[i];
            let mut out: Vec<f32> = if d > SKETCH {
                signs.chunks_exact(d).map(|row| dot(row, v)).collect()
            } else {
                let mut o = v.to_vec();
                o.resize(dims, 0.0);
                o
            };
            let inv = inverse_norm(&out);
            for x in &mut out {
                *x *= inv;
            }
            out
        });
        Sketches {
            dims,
            data: rows.into_iter().flatten().collect(),
        }
    }

    pub(super) fn cosine(&self, a: usize, b: usize) -> f64 {
        let (x, y) = (
            &self.data[a * self.dims..(a + 1) * self.dims],
            &self.data[b * self.dims..(b + 1) * self.dims],
        );
        f64::from(dot(x, y))
    }
}

/// Each of `members`' nearest `PROBES` pivots among about 2·sqrt(len) of them, taken evenly
/// from `members` (ascending canonical ids, a hash order, so they spread over the data).
fn nearest_pivots(sketches: &Sketches, members: &[usize]) -> (usize, Vec<[u32; PROBES]>) {
    let n = members.len();
    let pivots_n = ((2.0 * (n as f64).sqrt()).ceil() as usize).clamp(1, n.max(1));
    let pivots: Vec<usize> = (0..pivots_n).map(|k| members[k * n / pivots_n]).collect();
    let nearest = par_map(n, |i| {
        let g = members[i];
        let mut best = [(f64::NEG_INFINITY, 0u32); PROBES];
        for (p, &pg) in pivots.iter().enumerate() {
            let s = sketches.cosine(g, pg);
            if s > best[PROBES - 1].0 {
                best[PROBES - 1] = (s, p as u32);
                best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            }
        }
        let mut out = [0u32; PROBES];
        for (o, b) in out.iter_mut().zip(best) {
            *o = b.1;
        }
        out
    });
    (pivots_n, nearest)
}

/// The blocks: groups sharing one of their nearest pivots. Nearest-pivot blocks are uneven
/// (a few pivots are near much of the data), and scanning a block costs its size squared, so
/// a block over `cap` is split the same way within itself, up to 3 levels deep. Returns the
/// blocks' members (ascending).
pub(super) fn blocks(sketches: &Sketches, n: usize) -> Vec<Vec<usize>> {
    let cap = (8.0 * (n as f64).sqrt()).ceil() as usize;
    let mut done: Vec<Vec<usize>> = Vec::new();
    let mut todo: Vec<(Vec<usize>, u32)> = vec![((0..n).collect(), 0)];
    while let Some((members, depth)) = todo.pop() {
        if members.len() <= cap.max(PROBES + 1) || depth >= 3 {
            done.push(members);
            continue;
        }
        let (pivots_n, nearest) = nearest_pivots(sketches, &members);
        let mut split: Vec<Vec<usize>> = vec![Vec::new(); pivots_n];
        for (g, near) in members.iter().zip(&nearest) {
            for (i, p) in near.iter().enumerate() {
                // The same pivot twice (fewer pivots than probes) is one block.
                if !near[..i].contains(p) {
                    split[*p as usize].push(*g);
                }
            }
        }
        for part in split.into_iter().filter(|p| p.len() > 1) {
            // A block that does not shrink would split the same way again.
            let next = if part.len() == members.len() {
                3
            } else {
                depth + 1
            };
            todo.push((part, next));
        }
    }
    // Stable order of blocks, whatever order the splitting ran in.
    done.sort();
    done
}
