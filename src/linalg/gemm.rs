//! Dense matrix products (`alpha · A · B + beta · C`, f32 or f64, any strides) -> the same bits
//! on every instruction set: the one product kernel of the word pipeline, the report's layout
//! and the sentence encoder.
//!
//! The summation order is the design: each output element is one chain of fused multiply-adds
//! over `k` in increasing order, `acc = fma(a[i,p], b[p,j], acc)` from zero, then
//! `alpha · acc (+ beta · c)` with a plain multiply and add. The vector lanes run across output
//! columns, never along `k`, so an element's chain is the same whether a register holds 1, 8 or
//! 16 of them; tile sizes and packing only decide which elements are computed together. The
//! AVX-512 and AVX2 paths use the FMA instruction, the portable path `mul_add` (the same
//! correctly rounded operation in software), so all three give identical bits — unlike a BLAS,
//! whose kernels split `k` across lanes and add the partial sums in a width-dependent tree.
//!
//! Layout, as GotoBLAS/BLIS do it, without the `k` blocking (which would split the chains):
//! B is packed once into column panels as wide as a tile, A a block of rows at a time into
//! panels as tall as a tile, and the tile kernel keeps `MR x NR` accumulators in registers.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::simd::{self, Simd};

/// The element types the kernel multiplies.
pub(crate) trait Element:
    Copy + Send + Sync + PartialEq + std::ops::Mul<Output = Self> + std::ops::Add<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    /// `self · a + b` with one rounding.
    fn fused(self, a: Self, b: Self) -> Self;
    /// Runs the product on the level's kernel.
    fn gemm_on(
        level: Simd,
        alpha: Self,
        a: ArrayView2<'_, Self>,
        b: ArrayView2<'_, Self>,
        beta: Self,
        c: ArrayViewMut2<'_, Self>,
    );
}

/// `c = alpha · a · b + beta · c` (with `beta == 0`, `c`'s old values are never read, so they
/// may be anything, NaN included).
pub(crate) fn gemm<T: Element>(
    alpha: T,
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    beta: T,
    c: ArrayViewMut2<'_, T>,
) {
    assert_eq!(a.ncols(), b.nrows(), "inner dimensions differ");
    assert_eq!(c.dim(), (a.nrows(), b.ncols()), "output shape differs");
    T::gemm_on(simd::active(), alpha, a, b, beta, c);
}

/// `a · b` as a new matrix.
pub(crate) fn matmul<T: Element>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
    let mut c = Array2::from_elem((a.nrows(), b.ncols()), T::ZERO);
    gemm(T::ONE, a, b, T::ZERO, c.view_mut());
    c
}

/// A vector register of `LANES` elements and the four operations the tile kernel needs.
trait Lanes: Copy {
    type Elem: Element;
    const LANES: usize;
    /// # Safety
    /// The CPU must support the instructions of the implementing type.
    unsafe fn zero() -> Self;
    /// # Safety
    /// As [`Lanes::zero`].
    unsafe fn splat(x: Self::Elem) -> Self;
    /// # Safety
    /// As [`Lanes::zero`], and `p` must be readable for `LANES` elements.
    unsafe fn load(p: *const Self::Elem) -> Self;
    /// # Safety
    /// As [`Lanes::zero`], and `p` must be writable for `LANES` elements.
    unsafe fn store(self, p: *mut Self::Elem);
    /// `a · b + self`, lane by lane, one rounding.
    /// # Safety
    /// As [`Lanes::zero`].
    unsafe fn fused(self, a: Self, b: Self) -> Self;
}

/// One element per "register": the portable path.
#[derive(Clone, Copy)]
struct Single<T>(T);

impl<T: Element> Lanes for Single<T> {
    type Elem = T;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Single(T::ZERO)
    }
    #[inline(always)]
    unsafe fn splat(x: T) -> Self {
        Single(x)
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> Self {
        Single(*p)
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut T) {
        *p = self.0;
    }
    #[inline(always)]
    unsafe fn fused(self, a: Self, b: Self) -> Self {
        Single(a.0.fused(b.0, self.0))
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::Lanes;

    macro_rules! lanes {
        ($name:ident, $reg:ty, $elem:ty, $lanes:expr, $zero:ident, $splat:ident, $load:ident,
         $store:ident, $fmadd:ident) => {
            #[derive(Clone, Copy)]
            pub(super) struct $name($reg);

            impl Lanes for $name {
                type Elem = $elem;
                const LANES: usize = $lanes;
                #[inline(always)]
                unsafe fn zero() -> Self {
                    $name($zero())
                }
                #[inline(always)]
                unsafe fn splat(x: $elem) -> Self {
                    $name($splat(x))
                }
                #[inline(always)]
                unsafe fn load(p: *const $elem) -> Self {
                    $name($load(p))
                }
                #[inline(always)]
                unsafe fn store(self, p: *mut $elem) {
                    $store(p, self.0)
                }
                #[inline(always)]
                unsafe fn fused(self, a: Self, b: Self) -> Self {
                    $name($fmadd(a.0, b.0, self.0))
                }
            }
        };
    }

    lanes!(
        F32x8,
        __m256,
        f32,
        8,
        _mm256_setzero_ps,
        _mm256_set1_ps,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_fmadd_ps
    );
    lanes!(
        F64x4,
        __m256d,
        f64,
        4,
        _mm256_setzero_pd,
        _mm256_set1_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_fmadd_pd
    );
    lanes!(
        F32x16,
        __m512,
        f32,
        16,
        _mm512_setzero_ps,
        _mm512_set1_ps,
        _mm512_loadu_ps,
        _mm512_storeu_ps,
        _mm512_fmadd_ps
    );
    lanes!(
        F64x8,
        __m512d,
        f64,
        8,
        _mm512_setzero_pd,
        _mm512_set1_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_fmadd_pd
    );
}

/// Bytes of A a block of rows may take: it is reused against every panel of B, so it should
/// stay in the 1 MiB L2 of the machines we measure on, beside a panel of B.
const A_BLOCK_BYTES: usize = 256 * 1024;

/// The product on one kernel shape: `MR` rows by `NV` registers of `V::LANES` columns.
#[inline(always)]
fn gemm_tiled<V: Lanes, const MR: usize, const NV: usize>(
    alpha: V::Elem,
    a: ArrayView2<'_, V::Elem>,
    b: ArrayView2<'_, V::Elem>,
    beta: V::Elem,
    mut c: ArrayViewMut2<'_, V::Elem>,
) {
    let zero = <V::Elem as Element>::ZERO;
    let (m, k) = a.dim();
    let n = b.ncols();
    if m == 0 || n == 0 {
        return;
    }
    let nr = NV * V::LANES;
    let panels = n.div_ceil(nr);
    // B in panels of nr columns: panel-major, then p, then the nr columns (zero-padded). Read
    // through raw strides: ndarray's checked indexing made packing as slow as the product on
    // the LSA's Gram matrices.
    let (b_ptr, b_rows, b_cols) = (b.as_ptr(), b.strides()[0], b.strides()[1]);
    let mut b_packed = vec![zero; panels * k * nr];
    for (panel, packed) in b_packed.chunks_exact_mut((k * nr).max(1)).enumerate() {
        let (j0, width) = (panel * nr, nr.min(n - panel * nr));
        for (p, row) in packed.chunks_exact_mut(nr).enumerate() {
            for (jj, slot) in row[..width].iter_mut().enumerate() {
                // SAFETY: p < k and j0 + jj < n: an element of the view.
                *slot = unsafe { *b_ptr.offset(p as isize * b_rows + (j0 + jj) as isize * b_cols) };
            }
        }
    }
    let element = std::mem::size_of::<V::Elem>();
    let block_rows = (A_BLOCK_BYTES / (k.max(1) * element)).clamp(MR, 64 * MR) / MR * MR;
    let (a_ptr, a_rows, a_cols) = (a.as_ptr(), a.strides()[0], a.strides()[1]);
    let mut a_packed = vec![zero; block_rows * k];
    let mut tile = vec![zero; MR * nr];
    let (c_rows, c_cols) = (c.strides()[0], c.strides()[1]);
    let c_ptr = c.as_mut_ptr();
    for block_start in (0..m).step_by(block_rows) {
        let rows = block_rows.min(m - block_start);
        let strips = rows.div_ceil(MR);
        // A in strips of MR rows: strip-major, then p, then the MR rows (zero-padded).
        for strip in 0..strips {
            let packed = &mut a_packed[strip * k * MR..(strip + 1) * k * MR];
            let first = block_start + strip * MR;
            let height = MR.min(m - first);
            if height < MR {
                packed.fill(zero);
            }
            for r in 0..height {
                let row = (first + r) as isize * a_rows;
                for (p, slot) in packed.iter_mut().skip(r).step_by(MR).enumerate() {
                    // SAFETY: first + r < m and p < k: an element of the view.
                    *slot = unsafe { *a_ptr.offset(row + p as isize * a_cols) };
                }
            }
        }
        for panel in 0..panels {
            let b_panel = &b_packed[panel * k * nr..(panel + 1) * k * nr];
            let j0 = panel * nr;
            let width = nr.min(n - j0);
            for strip in 0..strips {
                let a_strip = &a_packed[strip * k * MR..(strip + 1) * k * MR];
                // SAFETY: the strip holds k·MR elements and the panel k·nr, as the kernel
                // reads; the tile holds MR·nr; `V`'s instructions are those of the level this
                // function was entered for, which the CPU supports.
                unsafe { tile_kernel::<V, MR, NV>(k, a_strip, b_panel, &mut tile) };
                let i0 = block_start + strip * MR;
                for r in 0..MR.min(m - i0) {
                    let sums = &tile[r * nr..r * nr + width];
                    let row = (i0 + r) as isize * c_rows;
                    for (jj, &sum) in sums.iter().enumerate() {
                        // SAFETY: i0 + r < m and j0 + jj < n: an element of the view, which
                        // is borrowed mutably.
                        let out = unsafe { &mut *c_ptr.offset(row + (j0 + jj) as isize * c_cols) };
                        *out = if beta == zero {
                            alpha * sum
                        } else {
                            alpha * sum + beta * *out
                        };
                    }
                }
            }
        }
    }
}

/// `tile[r][j] = Σ_p a_strip[p][r] · b_panel[p][j]`, each sum one fused chain over p.
///
/// # Safety
/// `a_strip` holds `k·MR`, `b_panel` `k·NV·LANES` and `tile` `MR·NV·LANES` elements, and the
/// CPU supports `V`'s instructions.
#[inline(always)]
unsafe fn tile_kernel<V: Lanes, const MR: usize, const NV: usize>(
    k: usize,
    a_strip: &[V::Elem],
    b_panel: &[V::Elem],
    tile: &mut [V::Elem],
) {
    debug_assert!(a_strip.len() >= k * MR && b_panel.len() >= k * NV * V::LANES);
    debug_assert!(tile.len() >= MR * NV * V::LANES);
    let nr = NV * V::LANES;
    let mut acc = [[V::zero(); NV]; MR];
    let (a, b) = (a_strip.as_ptr(), b_panel.as_ptr());
    for p in 0..k {
        let mut column = [V::zero(); NV];
        for (v, reg) in column.iter_mut().enumerate() {
            *reg = V::load(b.add(p * nr + v * V::LANES));
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let left = V::splat(*a.add(p * MR + r));
            for (sum, &right) in row.iter_mut().zip(&column) {
                *sum = sum.fused(left, right);
            }
        }
    }
    let out = tile.as_mut_ptr();
    for (r, row) in acc.iter().enumerate() {
        for (v, sum) in row.iter().enumerate() {
            sum.store(out.add(r * nr + v * V::LANES));
        }
    }
}

/// [`gemm_tiled`] compiled with AVX-512F, two registers wide.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn gemm_avx512<V: Lanes, const MR: usize>(
    alpha: V::Elem,
    a: ArrayView2<'_, V::Elem>,
    b: ArrayView2<'_, V::Elem>,
    beta: V::Elem,
    c: ArrayViewMut2<'_, V::Elem>,
) {
    gemm_tiled::<V, MR, 2>(alpha, a, b, beta, c)
}

/// [`gemm_tiled`] compiled with AVX2 and FMA, two registers wide.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gemm_avx2<V: Lanes, const MR: usize>(
    alpha: V::Elem,
    a: ArrayView2<'_, V::Elem>,
    b: ArrayView2<'_, V::Elem>,
    beta: V::Elem,
    c: ArrayViewMut2<'_, V::Elem>,
) {
    gemm_tiled::<V, MR, 2>(alpha, a, b, beta, c)
}

macro_rules! element {
    ($elem:ty, $avx2:ident, $avx2_mr:expr, $avx512:ident, $avx512_mr:expr) => {
        impl Element for $elem {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn fused(self, a: Self, b: Self) -> Self {
                self.mul_add(a, b)
            }
            fn gemm_on(
                level: Simd,
                alpha: Self,
                a: ArrayView2<'_, Self>,
                b: ArrayView2<'_, Self>,
                beta: Self,
                c: ArrayViewMut2<'_, Self>,
            ) {
                // A level the CPU lacks would be undefined behaviour: the portable path instead
                // (same bits; the check is a cached flag, nothing next to a product).
                let level = if level.is_supported() {
                    level
                } else {
                    Simd::Scalar
                };
                match level {
                    // SAFETY (both): the CPU supports the level, checked above.
                    #[cfg(target_arch = "x86_64")]
                    Simd::Avx512 => unsafe {
                        gemm_avx512::<x86::$avx512, $avx512_mr>(alpha, a, b, beta, c)
                    },
                    #[cfg(target_arch = "x86_64")]
                    Simd::Avx2 => unsafe {
                        gemm_avx2::<x86::$avx2, $avx2_mr>(alpha, a, b, beta, c)
                    },
                    _ => gemm_tiled::<Single<$elem>, 4, 4>(alpha, a, b, beta, c),
                }
            }
        }
    };
}

element!(f32, F32x8, 6, F32x16, 8);
element!(f64, F64x4, 6, F64x8, 8);

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array2};

    /// Values with long mantissas and mixed signs, so that any change of summation order shows.
    fn awkward(rows: usize, cols: usize, salt: u64) -> Array2<f64> {
        let mut state = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        Array2::from_shape_simple_fn((rows, cols), || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
    }

    /// The reference: each element's fused chain written out plainly.
    fn reference<T: Element>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols()).fold(T::ZERO, |acc, p| a[[i, p]].fused(b[[p, j]], acc))
        })
    }

    fn bits64(m: &Array2<f64>) -> Vec<u64> {
        m.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn every_level_gives_the_reference_bits_in_f64() {
        // Shapes around every tile edge, an empty inner dimension, and long chains.
        for &(m, k, n) in &[
            (1, 1, 1),
            (7, 3, 5),
            (13, 300, 17),
            (64, 0, 9),
            (33, 1031, 40),
        ] {
            let a = awkward(m, k, 1);
            let b = awkward(k, n, 2);
            let want = reference(a.view(), b.view());
            for level in Simd::supported() {
                let mut got = Array2::from_elem((m, n), f64::NAN);
                f64::gemm_on(level, 1.0, a.view(), b.view(), 0.0, got.view_mut());
                assert_eq!(bits64(&got), bits64(&want), "{level:?} {m}x{k}x{n}");
            }
        }
    }

    #[test]
    fn every_level_gives_the_same_bits_in_f32_with_strides_alpha_and_beta() {
        let a = awkward(40, 97, 3).mapv(|v| v as f32);
        let b = awkward(120, 51, 4).mapv(|v| v as f32);
        // A transposed view and a column-sliced one: strides other than (cols, 1).
        let a = a.t().to_owned();
        let a = a.slice(s![..90, ..]);
        let b = b.slice(s![..40, ..;2]);
        let start = awkward(90, 26, 5).mapv(|v| v as f32);
        let mut results = Vec::new();
        for level in Simd::supported() {
            let mut c = start.clone();
            f32::gemm_on(level, 0.75, a.view(), b.view(), -1.5, c.view_mut());
            results.push((level, c.iter().map(|v| v.to_bits()).collect::<Vec<_>>()));
        }
        let plain = reference(a.view(), b.view());
        let want: Vec<u32> = plain
            .iter()
            .zip(start.iter())
            .map(|(&sum, &old)| (0.75 * sum + -1.5 * old).to_bits())
            .collect();
        for (level, got) in results {
            assert_eq!(got, want, "{level:?}");
        }
    }

    #[test]
    fn matmul_agrees_with_ndarray_to_rounding() {
        let a = awkward(30, 20, 6);
        let b = awkward(20, 11, 7);
        let ours = matmul(a.view(), b.view());
        let theirs = a.dot(&b);
        assert!(ours
            .iter()
            .zip(theirs.iter())
            .all(|(x, y)| (x - y).abs() < 1e-12));
    }
}
