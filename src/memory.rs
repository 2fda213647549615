//! The fit's memory, up front: the input's size (measured on its first rows) and the params in
//! -> an estimate of the fit's peak resident memory ([`Estimate`]); the cgroup files, the
//! process's limits and `/proc/meminfo` in -> the most the process may use ([`Limit`]).
//!
//! A fit holds every document while it runs, so its peak grows with the input: a 6 GB input on a
//! 24 GB machine would be killed by the kernel after minutes of work, with no message. The run
//! estimates the peak before it reads the bulk of the input and refuses the work that will not
//! fit (exit 2, [`crate::Error::NotEnoughMemory`]), saying how much would.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::params::TopicParams;

/// What the run compares its estimate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemoryLimit {
    /// The limit found on this machine ([`Limit::detect`]).
    #[default]
    Detect,
    /// This many bytes, whatever the machine says.
    Bytes(u64),
    /// No estimate, no refusal.
    Unchecked,
}

impl MemoryLimit {
    /// The limit to hold a fit to, if any.
    pub fn limit(self) -> Option<Limit> {
        match self {
            MemoryLimit::Detect => Limit::detect(),
            MemoryLimit::Bytes(bytes) => Some(Limit {
                bytes,
                source: LimitSource::Given,
            }),
            MemoryLimit::Unchecked => None,
        }
    }
}

/// How the input looks, from the rows read so far: enough to scale the estimate to the whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputSize {
    /// The input's size in bytes.
    pub bytes: u64,
    /// Its rows (documents), measured or estimated from `bytes` and the rows of a sample.
    pub documents: u64,
    /// Bytes of the titles and texts (what is analysed), measured or estimated.
    pub text_bytes: u64,
    /// Whether `documents` and `text_bytes` are counts (the whole input was read) rather than
    /// an extrapolation from its first rows.
    pub exact: bool,
}

impl InputSize {
    /// The whole input from a sample: `sample_bytes` of `total_bytes` held `sample_documents`
    /// rows whose titles and texts were `sample_text_bytes` long.
    pub fn extrapolate(
        total_bytes: u64,
        sample_bytes: u64,
        sample_documents: u64,
        sample_text_bytes: u64,
    ) -> InputSize {
        if sample_bytes >= total_bytes || sample_bytes == 0 {
            return InputSize {
                bytes: total_bytes,
                documents: sample_documents,
                text_bytes: sample_text_bytes,
                exact: true,
            };
        }
        let scale = total_bytes as f64 / sample_bytes as f64;
        InputSize {
            bytes: total_bytes,
            documents: (sample_documents as f64 * scale).ceil() as u64,
            text_bytes: (sample_text_bytes as f64 * scale).ceil() as u64,
            exact: false,
        }
    }
}

/// What the fit adds on top of the input's own size. Measured by `bench/memory.py` (peak
/// resident set, `ru_maxrss`) on generated arXiv abstracts of 100k, 300k and 1M documents, on
/// their titles alone, on generated newsgroup posts, and with `--dims` 30 and 300: see the README's
/// *Memory* section for the table. The peak falls in the write (the report's rows and the
/// documents' table beside the model), or in the LSA for wide `--dims`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimated peak resident memory of the whole process, in bytes.
    pub peak: u64,
    /// What the estimate was made for.
    pub input: InputSize,
}

// The coefficients: a least-squares fit (relative error) to the peaks `bench/memory.py`
// measured on generated arXiv abstracts (30k to 1M documents; --dims 30, 100 and 300; with and
// without the report), their titles alone (1M) and generated newsgroup posts (100k); every case
// within 5% but the posts (17% under: their vocabulary is five times the abstracts').

/// Memory that does not grow with the documents once there are a few thousand: the binary and
/// its allocator's arenas, the threads, the vocabulary, the labels' and the report's tables.
const BASE: f64 = 167.0 * MIB as f64;
/// Below that, a small input's fixed part: 50 MiB for the 110 papers of `data/`, 84 MiB for
/// 1,700 abstracts (`SMALL_BASE` plus `BASE_PER_DOCUMENT` each, up to `BASE`).
const SMALL_BASE: f64 = 48.0 * MIB as f64;
const BASE_PER_DOCUMENT: f64 = 20.0 * 1024.0;
/// Per document, whatever its length: its id and title, its place, the documents table.
const PER_DOCUMENT: f64 = 286.0;
/// Per byte of a document's title and text: the strings while they are read and analysed (the
/// texts are dropped before the fit) and the token sequences and sparse rows made of them.
const PER_TEXT_BYTE: f64 = 2.48;
/// Per document and LSA dimension: its row, in f32, and the projection's accumulators.
const PER_DOCUMENT_DIM: f64 = 6.66;
/// Per document of k-means's sample (`fit_sample_rows`, 100,000 by default) and dimension: the
/// sample's rows in f64 and the restarts' assignments.
const PER_SAMPLE_DIM: f64 = 9.47;
/// With the report: per document, its snippet and its point on the map.
const PER_DOCUMENT_REPORT: f64 = 311.0;
/// With sentence vectors: per document and vector component (the f32 vectors, as read and
/// centred, and the joined rows): 300,000 abstracts with 384-long vectors peaked 1.6 GiB above
/// the same fit on words alone.
const PER_DOCUMENT_VECTOR_DIM: f64 = 15.0;

const MIB: u64 = 1 << 20;

impl Estimate {
    /// The estimate for a fit of `input` with `params`; `vector_dims` is the sentence vectors'
    /// length when the fit joins them to the words' rows; `report` whether the report is drawn
    /// (it keeps every document's row and snippet until the fit ends).
    pub fn new(
        input: InputSize,
        params: &TopicParams,
        vector_dims: Option<usize>,
        report: bool,
    ) -> Estimate {
        let dims = params.reduce.dims as f64;
        let documents = input.documents as f64;
        let text_per_document = if input.documents == 0 {
            0.0
        } else {
            input.text_bytes as f64 / documents
        };
        let mut per_document =
            PER_DOCUMENT + PER_TEXT_BYTE * text_per_document + PER_DOCUMENT_DIM * dims;
        if report {
            per_document += PER_DOCUMENT_REPORT;
        }
        if let Some(v) = vector_dims {
            per_document += PER_DOCUMENT_VECTOR_DIM * v as f64;
        }
        let sample = documents.min(params.cluster.fit_sample_rows as f64);
        let fixed =
            BASE.min(SMALL_BASE + BASE_PER_DOCUMENT * documents) + PER_SAMPLE_DIM * dims * sample;
        let peak = fixed + per_document * documents;
        Estimate {
            peak: peak.ceil() as u64,
            input,
        }
    }

    /// The same estimate for the first `documents` rows of the input (their length the same on
    /// average).
    fn for_documents(
        &self,
        documents: u64,
        params: &TopicParams,
        vector_dims: Option<usize>,
        report: bool,
    ) -> Estimate {
        let share = documents as f64 / self.input.documents.max(1) as f64;
        let input = InputSize {
            bytes: (self.input.bytes as f64 * share) as u64,
            documents,
            text_bytes: (self.input.text_bytes as f64 * share) as u64,
            exact: self.input.exact,
        };
        Estimate::new(input, params, vector_dims, report)
    }
}

/// Where a [`Limit`] comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitSource {
    /// Given by the caller (`--memory-limit`).
    Given,
    /// A cgroup's memory limit (`memory.max`, or `memory.limit_in_bytes` in cgroup v1).
    Cgroup(PathBuf),
    /// The process's address-space or data-segment limit (`ulimit -v`, `ulimit -d`, `prlimit`).
    ProcessLimit(&'static str),
    /// The machine's available memory (`MemAvailable` in `/proc/meminfo`) plus what this
    /// process already holds.
    Available,
}

impl fmt::Display for LimitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitSource::Given => f.write_str("the limit given"),
            LimitSource::Cgroup(path) => write!(f, "the cgroup's limit, {}", path.display()),
            LimitSource::ProcessLimit(name) => write!(f, "the process's {name}"),
            LimitSource::Available => f.write_str("the memory available on this machine"),
        }
    }
}

/// The most memory the process may use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    pub source: LimitSource,
}

impl Limit {
    /// The lowest of: the cgroup's memory limit (v2 `memory.max` or v1
    /// `memory.limit_in_bytes`, the process's cgroup and every one above it), the process's
    /// address-space and data limits (`/proc/self/limits`), and the memory available on the
    /// machine plus what the process already holds. `None` where none can be read (not Linux).
    pub fn detect() -> Option<Limit> {
        let mut limits: Vec<Limit> = Vec::new();
        limits.extend(cgroup_limit());
        limits.extend(process_limits());
        if let Some(available) = meminfo_available() {
            limits.push(Limit {
                bytes: available.saturating_add(own_resident().unwrap_or(0)),
                source: LimitSource::Available,
            });
        }
        limits.into_iter().min_by_key(|l| l.bytes)
    }
}

/// Values at or above this are "no limit" (cgroup v1 writes 2^63 rounded down to a page).
const UNLIMITED: u64 = 1 << 60;

fn read_number(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    if text == "max" {
        return Some(u64::MAX);
    }
    text.parse().ok()
}

/// The cgroup memory limits on the process's path, the lowest of them.
fn cgroup_limit() -> Option<Limit> {
    let cgroups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (roots, file): (&[&str], &str) = if controllers.is_empty() {
            (&["/sys/fs/cgroup", "/sys/fs/cgroup/unified"], "memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            (&["/sys/fs/cgroup/memory"], "memory.limit_in_bytes")
        } else {
            continue;
        };
        for root in roots {
            // The process's cgroup and each one above it: a child cannot use more than its
            // parent allows. In a container the path may be the host's, absent here: then
            // the mount's own root is the container's cgroup.
            let mut dir = Path::new(path.trim_start_matches('/'));
            loop {
                let candidate = Path::new(root).join(dir).join(file);
                if let Some(bytes) = read_number(&candidate) {
                    if bytes < UNLIMITED {
                        found.push((bytes, candidate));
                    }
                }
                match dir.parent() {
                    Some(parent) => dir = parent,
                    None => break,
                }
            }
        }
    }
    found
        .into_iter()
        .min_by_key(|(bytes, _)| *bytes)
        .map(|(bytes, path)| Limit {
            bytes,
            source: LimitSource::Cgroup(path),
        })
}

/// `Max address space` and `Max data size` from `/proc/self/limits` (soft limits, in bytes).
fn process_limits() -> Vec<Limit> {
    let Ok(text) = std::fs::read_to_string("/proc/self/limits") else {
        return Vec::new();
    };
    let mut limits = Vec::new();
    for (label, name) in [
        ("Max address space", "address-space limit (ulimit -v)"),
        ("Max data size", "data-size limit (ulimit -d)"),
    ] {
        let soft = text
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|soft| soft.parse::<u64>().ok());
        if let Some(bytes) = soft.filter(|&b| b < UNLIMITED) {
            limits.push(Limit {
                // The process maps address space it does not touch (thread stacks, the
                // allocator's reserve): the fit of data/ (50 MiB resident at its peak) aborts
                // under 60 MB of address space and runs under 70 MB.
                bytes: bytes.saturating_sub(ADDRESS_SPACE_RESERVE),
                source: LimitSource::ProcessLimit(name),
            });
        }
    }
    limits
}

/// Address space reserved but not resident, taken off an address-space limit.
const ADDRESS_SPACE_RESERVE: u64 = 32 * MIB;

fn meminfo_field(name: &str, path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let kib: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix(name))?
        .trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn meminfo_available() -> Option<u64> {
    meminfo_field("MemAvailable", "/proc/meminfo")
}

/// The process's resident memory now.
pub fn own_resident() -> Option<u64> {
    meminfo_field("VmRSS", "/proc/self/status")
}

/// A size as people write it: `8G`, `512M`, `1.5GiB`, `2000000000` (bytes); K/M/G/T are powers
/// of 1024, with or without `iB` or `B`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = number * scale as f64;
    (bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// Why a fit was refused: the estimate, the limit, and what would fit under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    pub estimate: Estimate,
    pub limit: Limit,
    /// The most documents of this kind a fit under the limit holds.
    pub documents_within: u64,
    /// The largest `dims` (at least 10) that would fit, if lowering it is enough.
    pub dims_within: Option<usize>,
}

/// Compares `estimate` with `limit`: `Err` with what would fit when it does not.
pub fn check(
    estimate: Estimate,
    limit: Limit,
    params: &TopicParams,
    vector_dims: Option<usize>,
    report: bool,
) -> std::result::Result<(), Box<Shortfall>> {
    if estimate.peak <= limit.bytes {
        return Ok(());
    }
    let dims_within = (1..params.reduce.dims.div_ceil(10))
        .rev()
        .map(|tens| tens * 10)
        .find(|&dims| {
            let mut smaller = params.clone();
            smaller.reduce.dims = dims;
            Estimate::new(estimate.input, &smaller, vector_dims, report).peak <= limit.bytes
        });
    // The estimate grows with the documents: the most that fit, by bisection.
    let (mut low, mut high) = (0u64, estimate.input.documents);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        let peak = estimate
            .for_documents(middle, params, vector_dims, report)
            .peak;
        if peak <= limit.bytes {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    Err(Box::new(Shortfall {
        documents_within: low,
        dims_within,
        estimate,
        limit,
    }))
}

/// Bytes in words with one decimal: `3.4 GiB`, `512.0 MiB`.
pub fn human(bytes: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.0} MiB", (b / MIB as f64).max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_as_people_write_them() {
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("2000000000"), Some(2_000_000_000));
        assert_eq!(parse_size("64 kb"), Some(64 << 10));
        for bad in ["", "G", "-1G", "1X", "0", "1e3", "nan"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_sample_scales_to_the_whole_input() {
        let size = InputSize::extrapolate(1000, 100, 7, 80);
        assert_eq!(
            (size.documents, size.text_bytes, size.exact),
            (70, 800, false)
        );
        let whole = InputSize::extrapolate(100, 100, 7, 80);
        assert_eq!((whole.documents, whole.exact), (7, true));
    }

    #[test]
    fn the_estimate_grows_with_documents_and_dims_and_says_what_fits() {
        let params = TopicParams::default();
        let input = InputSize::extrapolate(900_000_000, 1_000_000, 1_100, 950_000);
        let estimate = Estimate::new(input, &params, None, true);
        let half = Estimate::new(
            InputSize::extrapolate(450_000_000, 1_000_000, 1_100, 950_000),
            &params,
            None,
            true,
        );
        assert!(estimate.peak > half.peak && estimate.peak < 2 * half.peak + 1);
        let limit = Limit {
            bytes: estimate.peak / 2,
            source: LimitSource::Given,
        };
        let shortfall = check(estimate, limit.clone(), &params, None, true).expect_err("too big");
        let within = Estimate::new(
            InputSize {
                documents: shortfall.documents_within,
                text_bytes: shortfall.documents_within * 950_000 / 1_100,
                ..input
            },
            &params,
            None,
            true,
        );
        assert!(
            within.peak <= limit.bytes,
            "{} > {}",
            within.peak,
            limit.bytes
        );
        let unlimited = Limit {
            bytes: u64::MAX,
            ..limit
        };
        assert!(check(estimate, unlimited, &params, None, true).is_ok());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_has_a_limit() {
        let limit = Limit::detect().expect("Linux has /proc/meminfo");
        assert!(limit.bytes > 1 << 20, "{limit:?}");
    }
}
