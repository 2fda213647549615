//! A `.npy` file of sentence vectors (float32, one row per input row) -> [`SentenceVectors`],
//! every value checked: the wrong dtype or shape, a NaN, an infinity or an all-zero row is an
//! [`Error::Vectors`] naming the file and the row.

use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::{ReadNpyError, ReadNpyExt};

use super::{SentenceVectors, VectorSource};
use crate::error::{Error, Result};

/// Reads `path`; `documents` is the number of input rows the vectors must match, when known.
pub fn read(path: &Path, documents: Option<usize>) -> Result<SentenceVectors> {
    let name = path.display().to_string();
    let fail = |problem: String| Error::Vectors {
        path: Some(PathBuf::from(&name)),
        problem,
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: PathBuf::from(&name),
        source,
    })?;
    let size = file
        .metadata()
        .map_err(|source| Error::Read {
            path: PathBuf::from(&name),
            source,
        })?
        .len();
    let mut reader = std::io::BufReader::new(file);
    // The reader allocates the whole array the header announces before reading any of it: a
    // header that promises more than the file holds is refused first, not allocated.
    if let Some(promised) = header_bytes(&mut reader) {
        if promised > size {
            return Err(fail(format!(
                "the header announces {promised} bytes of data, but the file has {size}"
            )));
        }
    }
    let rows = Array2::<f32>::read_npy(reader).map_err(|e| fail(describe(e)))?;
    if rows.ncols() == 0 {
        return Err(fail("the vectors have 0 columns".into()));
    }
    if let Some(documents) = documents {
        super::rows_match(&name, rows.nrows(), documents)?;
    }
    check_values(&rows).map_err(fail)?;
    let dims = rows.ncols();
    Ok(SentenceVectors::new(rows, VectorSource::File { dims }))
}

/// The data size the header of an .npy file announces (product of its shape times 4), if the
/// header can be read; the reader is left at the start.
fn header_bytes(reader: &mut std::io::BufReader<std::fs::File>) -> Option<u64> {
    use std::io::{BufRead, Seek};
    let buffer = reader.fill_buf().ok()?;
    let text = String::from_utf8_lossy(&buffer[..buffer.len().min(4096)]).into_owned();
    reader.rewind().ok()?;
    let shape = text.split("'shape':").nth(1)?;
    let inside = shape.split('(').nth(1)?.split(')').next()?;
    let mut bytes: u64 = 4;
    for dim in inside.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        bytes = bytes.saturating_mul(dim.trim_end_matches('L').parse::<u64>().ok()?);
    }
    Some(bytes)
}

/// The first NaN, infinity or all-zero row, 1-based as in the input.
pub(crate) fn check_values(rows: &Array2<f32>) -> std::result::Result<(), String> {
    for (r, row) in rows.outer_iter().enumerate() {
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "row {}, column {}: {} (vectors must be finite numbers)",
                r + 1,
                c + 1,
                row[c]
            ));
        }
        if row.iter().all(|&v| v == 0.0) {
            return Err(format!(
                "row {}: the vector is all zeros (it has no direction to compare)",
                r + 1
            ));
        }
    }
    Ok(())
}

fn describe(error: ReadNpyError) -> String {
    match error {
        ReadNpyError::WrongDescriptor(found) => format!(
            "the array's dtype is {found}, expected float32 ('<f4'); convert it with numpy's astype('float32')"
        ),
        ReadNpyError::WrongNdim(_, found) => format!(
            "the array has {} dimension(s), expected 2 (one row per input row)",
            found
        ),
        ReadNpyError::ParseHeader(e) => format!("not a readable .npy file ({e})"),
        ReadNpyError::MissingData => "the file ends before the array's data does".into(),
        ReadNpyError::ExtraBytes(n) => format!("{n} unexpected bytes after the array's data"),
        other => format!("cannot read the array: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use ndarray_npy::WriteNpyExt;

    fn write<T: WriteNpyExt>(dir: &Path, array: &T) -> std::path::PathBuf {
        let path = dir.join("v.npy");
        array
            .write_npy(std::fs::File::create(&path).expect("create"))
            .expect("write");
        path
    }

    #[test]
    fn reads_float32_rows_as_unit_vectors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), &array![[3.0f32, 4.0], [0.0, 2.0]]);
        let v = read(&path, Some(2)).expect("read");
        assert_eq!(v.rows, array![[0.6f32, 0.8], [0.0, 1.0]]);
        assert_eq!(v.source, VectorSource::File { dims: 2 });
    }

    #[test]
    fn refuses_bad_arrays_with_the_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let message = |path: &Path, n| read(path, n).expect_err("refused").to_string();
        let f64s = write(dir.path(), &array![[1.0f64, 2.0]]);
        assert!(message(&f64s, Some(1)).contains("dtype is '<f8', expected float32"));
        let rows = write(dir.path(), &array![[1.0f32, 2.0]]);
        assert!(message(&rows, Some(3)).contains("1 rows of vectors for 3 input rows"));
        let nan = write(dir.path(), &array![[1.0f32, 2.0], [1.0, f32::NAN]]);
        assert!(message(&nan, Some(2)).contains("row 2, column 2: NaN"));
        let zero = write(dir.path(), &array![[0.0f32, 0.0]]);
        assert!(message(&zero, Some(1)).contains("row 1: the vector is all zeros"));
        let flat = write(dir.path(), &array![1.0f32, 2.0]);
        assert!(message(&flat, Some(1)).contains("1 dimension(s), expected 2"));
        // A header promising far more than the file holds is refused before any allocation.
        let mut huge = b"\x93NUMPY\x01\x00".to_vec();
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 1000), }";
        let mut header = header.as_bytes().to_vec();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(b' ');
        }
        header.push(b'\n');
        huge.extend_from_slice(&(header.len() as u16).to_le_bytes());
        huge.extend_from_slice(&header);
        let path = dir.path().join("huge.npy");
        std::fs::write(&path, huge).expect("write");
        assert!(message(&path, Some(1)).contains("the header announces"));
    }
}
