//! Vector arithmetic on embeddings: unit vectors of `f32`, compared by dot
//! product (which is their cosine similarity).

/// Dot product in eight independent sums, which the compiler turns into SIMD
/// (a single running sum must be added in order, one element at a time).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// The vector scaled to unit length (a zero vector stays as it is).
pub fn normalize(mut v: Vec<f32>) -> Vec<f32> {
    let norm = dot(&v, &v).sqrt();
    if norm > 1e-12 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// One vector per group: the normalized sum of the group's vectors, taken in
/// order from `vectors` (`sizes[i]` of them for group `i`). An empty group
/// gives an empty vector.
pub fn group_means(vectors: Vec<Vec<f32>>, sizes: &[usize]) -> Vec<Vec<f32>> {
    let mut vectors = vectors.into_iter();
    sizes
        .iter()
        .map(|&size| {
            let mut sum: Option<Vec<f32>> = None;
            for vector in vectors.by_ref().take(size) {
                sum = Some(match sum {
                    None => vector,
                    Some(mut s) => {
                        s.iter_mut().zip(&vector).for_each(|(a, b)| *a += b);
                        s
                    }
                });
            }
            normalize(sum.unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_group_becomes_the_normalized_mean_of_its_vectors() {
        let out = group_means(
            vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.6, 0.8]],
            &[2, 1, 0],
        );
        let half = std::f32::consts::FRAC_1_SQRT_2;
        assert!((out[0][0] - half).abs() < 1e-6 && (out[0][1] - half).abs() < 1e-6);
        assert!((dot(&out[1], &[0.6, 0.8]) - 1.0).abs() < 1e-6);
        assert!(out[2].is_empty());
    }

    #[test]
    fn dot_matches_the_plain_sum_past_the_simd_lanes() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.1).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.05).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
    }
}
