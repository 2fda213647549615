//! The instruction set the numeric kernels run on: the best this CPU offers, found once per
//! process, or the one `TOPICTAG_SIMD` (or [`force`]) names -> a [`Simd`] level every kernel
//! that dispatches at run time reads through [`active`].
//!
//! The level changes speed, never bits: every kernel keeps one summation order whatever the
//! vector width (see `linalg::gemm`), so a fit, `tag` or the sentence encoder gives the same
//! bytes on a CPU with AVX-512, one with AVX2 only and the portable code. Forcing a level is how
//! one machine proves that for all three.

use std::sync::OnceLock;

/// The environment variable that forces a level: `scalar`, `avx2` or `avx512` (or `auto`).
pub const ENV: &str = "TOPICTAG_SIMD";

/// One code path of the kernels that dispatch at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Simd {
    /// Portable code: no vector instructions beyond x86-64's baseline, no fused multiply-add
    /// instruction (the same fused results come from `mul_add` in software).
    Scalar,
    /// AVX2 with FMA: 256-bit vectors.
    Avx2,
    /// AVX-512F: 512-bit vectors.
    Avx512,
}

/// A level that cannot be used: an unknown name, or one this CPU does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimdError {
    #[error("{ENV}={value}: unknown instruction set (use scalar, avx2, avx512 or auto)")]
    Unknown { value: String },
    #[error("{ENV}={}: this CPU has no {}; it can run {}", .level.name(), .level.requires(), supported_names())]
    Unsupported { level: Simd },
    #[error("the kernels already run on {}: the instruction set is fixed for the process", .active.name())]
    AlreadyActive { active: Simd },
}

impl Simd {
    /// Every level, from the portable one up.
    pub const ALL: [Simd; 3] = [Simd::Scalar, Simd::Avx2, Simd::Avx512];

    /// The name `TOPICTAG_SIMD` takes.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Scalar => "scalar",
            Simd::Avx2 => "avx2",
            Simd::Avx512 => "avx512",
        }
    }

    fn requires(self) -> &'static str {
        match self {
            Simd::Scalar => "x86-64 baseline",
            Simd::Avx2 => "AVX2 and FMA",
            Simd::Avx512 => "AVX-512F",
        }
    }

    /// Whether this CPU can run the level.
    pub fn is_supported(self) -> bool {
        match self {
            Simd::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => Simd::Avx2.is_supported() && std::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The fastest level this CPU can run.
    pub fn best() -> Simd {
        Simd::ALL
            .into_iter()
            .rev()
            .find(|level| level.is_supported())
            .unwrap_or(Simd::Scalar)
    }

    /// Every level this CPU can run, from the portable one up.
    pub fn supported() -> Vec<Simd> {
        Simd::ALL.into_iter().filter(|l| l.is_supported()).collect()
    }

    /// A level by its name (`auto` is the best this CPU has), refused where the CPU lacks it.
    pub fn parse(value: &str) -> Result<Simd, SimdError> {
        let level = match value.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => return Ok(Simd::best()),
            "scalar" | "portable" => Simd::Scalar,
            "avx2" => Simd::Avx2,
            "avx512" | "avx-512" | "avx512f" => Simd::Avx512,
            _ => {
                return Err(SimdError::Unknown {
                    value: value.to_string(),
                })
            }
        };
        if level.is_supported() {
            Ok(level)
        } else {
            Err(SimdError::Unsupported { level })
        }
    }

    /// The level `TOPICTAG_SIMD` asks for (the best this CPU has when it is unset).
    pub fn from_env() -> Result<Simd, SimdError> {
        match std::env::var(ENV) {
            Ok(value) => Simd::parse(&value),
            Err(_) => Ok(Simd::best()),
        }
    }
}

fn supported_names() -> String {
    Simd::supported()
        .iter()
        .map(|l| l.name())
        .collect::<Vec<_>>()
        .join(", ")
}

static ACTIVE: OnceLock<Simd> = OnceLock::new();

/// The level the kernels run on: the first of [`force`], `TOPICTAG_SIMD` and the best this CPU
/// has. A `TOPICTAG_SIMD` that cannot be used counts as unset here — the results are the same
/// bits on every level, so only speed is at stake; the command line refuses such a value up
/// front with [`Simd::from_env`].
pub fn active() -> Simd {
    *ACTIVE.get_or_init(|| Simd::from_env().unwrap_or_else(|_| Simd::best()))
}

/// Fixes the level for the rest of the process. Refused when the CPU lacks it, or when the
/// kernels already run on another level (the first kernel call fixes it).
pub fn force(level: Simd) -> Result<(), SimdError> {
    if !level.is_supported() {
        return Err(SimdError::Unsupported { level });
    }
    let active = *ACTIVE.get_or_init(|| level);
    if active == level {
        Ok(())
    } else {
        Err(SimdError::AlreadyActive { active })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for level in Simd::supported() {
            assert_eq!(Simd::parse(level.name()), Ok(level));
        }
        assert_eq!(Simd::parse("auto"), Ok(Simd::best()));
        let error = Simd::parse("sse9").expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "TOPICTAG_SIMD=sse9: unknown instruction set (use scalar, avx2, avx512 or auto)"
        );
    }

    #[test]
    fn a_level_the_cpu_lacks_is_refused_by_name() {
        let error = SimdError::Unsupported {
            level: Simd::Avx512,
        };
        assert!(error
            .to_string()
            .starts_with("TOPICTAG_SIMD=avx512: this CPU has no AVX-512F; it can run scalar"));
        for level in Simd::ALL {
            assert_eq!(Simd::parse(level.name()).is_ok(), level.is_supported());
        }
    }
}
