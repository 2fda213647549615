//! The elementwise pieces of a transformer layer on f32 slices -> in place: layer norm, GELU,
//! softmax, and the matrix product they sit between (`linalg::gemm`, the same bits on every
//! instruction set).
//!
//! `exp` and `erf` are polynomial approximations written so the compiler can vectorise them:
//! the profile of a stock encoder spent ~23% of its time in scalar `erf` and `expf`. Sums run in
//! eight fixed lanes, so the result does not depend on how the loop is vectorised; nothing here
//! contracts a multiply and an add into an FMA, so the AVX2 and AVX-512 builds of these loops
//! give the portable build's bits.

use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

/// `c (m x n) = alpha · a (m x k) · b (k x n) + beta · c`, with element strides given as
/// (row stride, column stride) pairs, all positive. Panics if a matrix reaches past its slice.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: &[f32],
    a_strides: (isize, isize),
    b: &[f32],
    b_strides: (isize, isize),
    beta: f32,
    c: &mut [f32],
    c_strides: (isize, isize),
) {
    fn view(
        rows: usize,
        cols: usize,
        (rs, cs): (isize, isize),
        data: &[f32],
    ) -> ArrayView2<'_, f32> {
        let shape = (rows, cols).strides((rs as usize, cs as usize));
        ArrayView2::from_shape(shape, data).expect("a matrix view inside its slice")
    }
    let (a, b) = (view(m, k, a_strides, a), view(k, n, b_strides, b));
    let shape = (m, n).strides((c_strides.0 as usize, c_strides.1 as usize));
    let c = ArrayViewMut2::from_shape(shape, c).expect("a matrix view inside its slice");
    crate::linalg::gemm(alpha, a, b, beta, c);
}

/// `out (rows x n) = x (rows x k) · w (k x n) + bias`, all row-major and contiguous.
pub(crate) fn linear(x: &[f32], k: usize, w: &[f32], bias: &[f32], out: &mut [f32]) {
    let n = bias.len();
    let rows = x.len() / k;
    for row in out.chunks_exact_mut(n) {
        row.copy_from_slice(bias);
    }
    matmul(
        rows,
        k,
        n,
        1.0,
        x,
        (k as isize, 1),
        w,
        (n as isize, 1),
        1.0,
        out,
        (n as isize, 1),
    );
}

/// Each row of `x` (rows of `gamma.len()`) becomes `layer_norm(x + residual)`; `residual` is
/// left as it was.
pub(crate) fn add_layer_norm(
    x: &mut [f32],
    residual: &[f32],
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
) {
    let n = gamma.len();
    for (row, res) in x.chunks_exact_mut(n).zip(residual.chunks_exact(n)) {
        for (v, r) in row.iter_mut().zip(res) {
            *v += r;
        }
        layer_norm_row(row, gamma, beta, eps);
    }
}

/// Each row of `x` normalised to zero mean and unit variance, then scaled and shifted.
pub(crate) fn layer_norm(x: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    for row in x.chunks_exact_mut(gamma.len()) {
        layer_norm_row(row, gamma, beta, eps);
    }
}

fn layer_norm_row(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = lane_sum(row) / n;
    let mut squares = [0.0f32; 8];
    let mut chunks = row.chunks_exact(8);
    for chunk in &mut chunks {
        for (s, &v) in squares.iter_mut().zip(chunk) {
            let d = v - mean;
            *s += d * d;
        }
    }
    let mut variance = fold_lanes(squares);
    for &v in chunks.remainder() {
        variance += (v - mean) * (v - mean);
    }
    let scale = 1.0 / (variance / n + eps).sqrt();
    for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *v = (*v - mean) * scale * g + b;
    }
}

/// The sum of `values` in eight fixed lanes, then the lanes pairwise: the same bits whatever
/// instructions the loop compiles to.
fn lane_sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (l, &v) in lanes.iter_mut().zip(chunk) {
            *l += v;
        }
    }
    let mut total = fold_lanes(lanes);
    for &v in chunks.remainder() {
        total += v;
    }
    total
}

/// The largest of `values` (which hold no NaN), in eight lanes so that the loop vectorises.
fn lane_max(values: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (l, &v) in lanes.iter_mut().zip(chunk) {
            *l = if v > *l { v } else { *l };
        }
    }
    let mut max = lanes
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    for &v in chunks.remainder() {
        max = if v > max { v } else { max };
    }
    max
}

fn fold_lanes(l: [f32; 8]) -> f32 {
    ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

/// Which activation the feed-forward block applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activation {
    /// `x · Φ(x)` with the exact normal CDF (config `"gelu"`).
    Gelu,
    /// The tanh approximation (`"gelu_new"`, `"gelu_pytorch_tanh"`).
    GeluTanh,
    Relu,
}

impl Activation {
    pub(crate) fn from_config(name: &str) -> Option<Self> {
        match name {
            "gelu" => Some(Activation::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Some(Activation::GeluTanh),
            "relu" => Some(Activation::Relu),
            _ => None,
        }
    }

    /// Applies the activation to every element.
    pub(crate) fn apply(self, x: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::simd::active() >= crate::simd::Simd::Avx512 {
            // SAFETY: only requires AVX-512F, which the active level (simd::active) guarantees.
            return unsafe { activate_avx512(self, x) };
        }
        #[cfg(target_arch = "x86_64")]
        if crate::simd::active() >= crate::simd::Simd::Avx2 {
            // SAFETY: only requires AVX2, which the active level (simd::active) guarantees.
            return unsafe { activate_avx2(self, x) };
        }
        activate(self, x);
    }
}

// The same loops compiled for AVX2: eight lanes at once. No fused multiply-adds, so the bits
// match the portable version's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn activate_avx2(activation: Activation, x: &mut [f32]) {
    activate(activation, x);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn activate_avx512(activation: Activation, x: &mut [f32]) {
    activate(activation, x);
}

#[inline(always)]
fn activate(activation: Activation, x: &mut [f32]) {
    match activation {
        Activation::Gelu => {
            for v in x.iter_mut() {
                *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
            }
        }
        Activation::GeluTanh => {
            const C: f32 = 0.797_884_6; // sqrt(2 / pi)
            for v in x.iter_mut() {
                let u = C * (*v + 0.044_715 * *v * *v * *v);
                // tanh(u) = 1 - 2 / (exp(2u) + 1)
                let t = 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
                *v = 0.5 * *v * (1.0 + t);
            }
        }
        Activation::Relu => {
            for v in x.iter_mut() {
                *v = v.max(0.0);
            }
        }
    }
}

/// Each row (of `n`) of `x` replaced by its softmax.
pub(crate) fn softmax_rows(x: &mut [f32], n: usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::active() >= crate::simd::Simd::Avx512 {
        // SAFETY: only requires AVX-512F, which the active level (simd::active) guarantees.
        return unsafe { softmax_rows_avx512(x, n) };
    }
    #[cfg(target_arch = "x86_64")]
    if crate::simd::active() >= crate::simd::Simd::Avx2 {
        // SAFETY: only requires AVX2, which the active level (simd::active) guarantees.
        return unsafe { softmax_rows_avx2(x, n) };
    }
    softmax_rows_portable(x, n);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn softmax_rows_avx2(x: &mut [f32], n: usize) {
    softmax_rows_portable(x, n);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn softmax_rows_avx512(x: &mut [f32], n: usize) {
    softmax_rows_portable(x, n);
}

#[inline(always)]
fn softmax_rows_portable(x: &mut [f32], n: usize) {
    for row in x.chunks_exact_mut(n) {
        let max = lane_max(row);
        for v in row.iter_mut() {
            *v = exp(*v - max);
        }
        let scale = 1.0 / lane_sum(row);
        for v in row.iter_mut() {
            *v *= scale;
        }
    }
}

/// `e^x` to about one unit in the last place: Cephes' range reduction and polynomial, written
/// without branches so that loops over it vectorise.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Round to nearest by the 1.5 · 2^23 trick: plain adds, where `round` would be a call.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * LOG2E + ROUND;
    let n = shifted - ROUND;
    // n as an integer, read off the shifted float's low bits: `n as i32` would be a saturating
    // conversion, which does not vectorise.
    let ni = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let poly = p * r * r + r + 1.0;
    // 2^n from the exponent bits; the clamp keeps n within the normal range.
    let scale = f32::from_bits((ni.wrapping_add(127) << 23) as u32);
    poly * scale
}

/// The error function to within 5e-7 (Abramowitz and Stegun 7.1.26, 1.5e-7 in exact arithmetic,
/// plus f32 rounding), branch-free.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let mut p = 1.061_405_4;
    p = p * t - 1.453_152_1;
    p = p * t + 1.421_413_7;
    p = p * t - 0.284_496_74;
    p = p * t + 0.254_829_6;
    let y = 1.0 - p * t * exp(-a * a);
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_the_standard_library() {
        let mut worst = 0.0f64;
        for i in -8700..=8800 {
            let x = i as f32 / 100.0;
            let want = f64::from(x).exp();
            let got = f64::from(exp(x));
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
    }

    #[test]
    fn erf_is_within_its_bound() {
        // Reference: erf by its Taylor series in f64 (converges fast for |x| <= 3).
        let reference = |x: f64| {
            let mut term = x;
            let mut sum = x;
            for n in 1..200 {
                term *= -x * x / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        };
        for i in -300..=300 {
            let x = i as f64 / 100.0;
            let got = f64::from(erf(x as f32));
            assert!((got - reference(x)).abs() < 5e-7, "erf({x}) = {got}");
        }
        assert_eq!(erf(10.0), 1.0);
        assert_eq!(erf(-10.0), -1.0);
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let mut x: Vec<f32> = (0..30).map(|i| (i as f32 * 0.37).sin() * 5.0).collect();
        softmax_rows(&mut x, 10);
        for row in x.chunks(10) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            assert!(row.iter().all(|&p| p > 0.0));
        }
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let mut x: Vec<f32> = (0..20).map(|i| i as f32).collect();
        layer_norm(&mut x, &[1.0; 10], &[0.0; 10], 1e-12);
        for row in x.chunks(10) {
            assert!(row.iter().sum::<f32>().abs() < 1e-5);
            let var = row.iter().map(|v| v * v).sum::<f32>() / 10.0;
            assert!((var - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn linear_adds_the_bias_to_the_product() {
        // [1 2; 3 4] · [1 0 1; 0 1 1] + [10 20 30]
        let mut out = vec![0.0; 6];
        linear(
            &[1.0, 2.0, 3.0, 4.0],
            2,
            &[1.0, 0.0, 1.0, 0.0, 1.0, 1.0],
            &[10.0, 20.0, 30.0],
            &mut out,
        );
        assert_eq!(out, vec![11.0, 22.0, 33.0, 13.0, 24.0, 37.0]);
    }
}
