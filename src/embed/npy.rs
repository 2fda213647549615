//! A `.npy` file of sentence vectors (float32, one row per input row) -> [`SentenceVectors`],
//! every value checked: the wrong dtype or shape, a NaN, an infinity or an all-zero row is an
//! [`Error::Vectors`] naming the file and the row.

use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::{SentenceVectors, VectorSource};
use crate::error::{Error, Result};

/// The longest header read: numpy writes a few hundred bytes; version 2 allows 4 GiB, which
/// nobody writes and a hostile file would use to exhaust memory.
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Reads `path`; `documents` is the number of input rows the vectors must match, when known.
/// The header is parsed here, not by a general reader: nothing is allocated for the data until
/// its shape has been checked against the file's real size (or, for a pipe, until the bytes
/// have arrived), so a header cannot ask for more memory than the file brings.
pub fn read(path: &Path, documents: Option<usize>) -> Result<SentenceVectors> {
    let name = path.display().to_string();
    let fail = |problem: String| Error::Vectors {
        path: Some(PathBuf::from(&name)),
        problem,
    };
    let read_error = |source| Error::Read {
        path: PathBuf::from(&name),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    // A regular file's size bounds what its header may announce; anything else (a pipe, a
    // device) is read only as far as its bytes go.
    let size = meta.is_file().then_some(meta.len());
    let mut reader = std::io::BufReader::new(file);
    let header = read_header(&mut reader).map_err(|e| match e {
        HeaderError::Io(source) => read_error(source),
        HeaderError::Bad(problem) => fail(problem),
    })?;
    let data_bytes = header.data_bytes().ok_or_else(|| {
        fail(format!(
            "the shape ({}, {}) is too large to address",
            header.rows, header.cols
        ))
    })?;
    if let Some(size) = size {
        let available = size.saturating_sub(header.offset);
        if data_bytes > available {
            return Err(fail(format!(
                "the header announces {data_bytes} bytes of data ({} x {} float32), but the file holds {available}",
                header.rows, header.cols
            )));
        }
        if data_bytes < available {
            return Err(fail(format!(
                "{} unexpected bytes after the array's data",
                available - data_bytes
            )));
        }
    }
    let mut data = Vec::new();
    // `take` grows the buffer as bytes arrive: a pipe promising terabytes gets only what it sends.
    let got = std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut reader, data_bytes.saturating_add(1)),
        &mut data,
    )
    .map_err(read_error)? as u64;
    if got < data_bytes {
        return Err(fail("the file ends before the array's data does".into()));
    }
    if got > data_bytes {
        return Err(fail("unexpected bytes after the array's data".into()));
    }
    if header.cols == 0 {
        return Err(fail("the vectors have 0 columns".into()));
    }
    let rows = header.array(&data);
    if let Some(documents) = documents {
        super::rows_match(&name, rows.nrows(), documents)?;
    }
    check_values(&rows).map_err(fail)?;
    let dims = rows.ncols();
    Ok(SentenceVectors::new(rows, VectorSource::File { dims }))
}

/// What an .npy header says about a 2-D float32 array.
#[derive(Debug, Clone, PartialEq)]
struct Header {
    little_endian: bool,
    fortran_order: bool,
    rows: u64,
    cols: u64,
    /// Where the data starts.
    offset: u64,
}

enum HeaderError {
    Io(std::io::Error),
    Bad(String),
}

impl Header {
    fn data_bytes(&self) -> Option<u64> {
        self.rows.checked_mul(self.cols)?.checked_mul(4)
    }

    /// The rows from exactly `data_bytes()` bytes.
    fn array(&self, data: &[u8]) -> Array2<f32> {
        let values: Vec<f32> = data
            .chunks_exact(4)
            .map(|b| {
                let b = [b[0], b[1], b[2], b[3]];
                if self.little_endian {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                }
            })
            .collect();
        let (rows, cols) = (self.rows as usize, self.cols as usize);
        let shaped = if self.fortran_order {
            Array2::from_shape_vec((cols, rows), values).map(|a| a.reversed_axes().to_owned())
        } else {
            Array2::from_shape_vec((rows, cols), values)
        };
        shaped.unwrap_or_else(|_| Array2::zeros((0, 0)))
    }
}

/// The magic, the version's header length and the header dictionary, parsed.
fn read_header(reader: &mut impl std::io::Read) -> std::result::Result<Header, HeaderError> {
    let bad = |s: &str| HeaderError::Bad(s.to_string());
    let mut start = [0u8; 8];
    read_exact_or(
        reader,
        &mut start,
        "not a .npy file (it is shorter than the magic)",
    )?;
    if &start[..6] != b"\x93NUMPY" {
        return Err(bad(
            "not a .npy file (it does not start with the .npy magic)",
        ));
    }
    let (length, prefix) = match start[6] {
        1 => {
            let mut b = [0u8; 2];
            read_exact_or(reader, &mut b, "the .npy header is cut short")?;
            (u64::from(u16::from_le_bytes(b)), 10)
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            read_exact_or(reader, &mut b, "the .npy header is cut short")?;
            (u64::from(u32::from_le_bytes(b)), 12)
        }
        v => {
            return Err(HeaderError::Bad(format!(
                "the .npy format version {v} is not one this build reads (1, 2 or 3)"
            )))
        }
    };
    if length > MAX_HEADER_BYTES as u64 {
        return Err(HeaderError::Bad(format!(
            "the .npy header claims {length} bytes (at most {MAX_HEADER_BYTES} are read)"
        )));
    }
    let mut text = vec![0u8; length as usize];
    read_exact_or(reader, &mut text, "the .npy header is cut short")?;
    let text = String::from_utf8(text).map_err(|_| bad("the .npy header is not text"))?;
    let mut header = parse_header(&text).map_err(HeaderError::Bad)?;
    header.offset = prefix + length;
    Ok(header)
}

fn read_exact_or(
    reader: &mut impl std::io::Read,
    buffer: &mut [u8],
    short: &str,
) -> std::result::Result<(), HeaderError> {
    reader.read_exact(buffer).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            HeaderError::Bad(short.to_string())
        } else {
            HeaderError::Io(e)
        }
    })
}

/// One value of the header's Python literal.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Bool(bool),
    Tuple(Vec<u64>),
}

/// The header's dictionary (`{'descr': '<f4', 'fortran_order': False, 'shape': (110, 384), }`),
/// in any of the spellings Python's literal syntax allows numpy to write: either quote, any
/// spacing, trailing commas, keys in any order; a key given twice is refused.
fn parse_header(text: &str) -> std::result::Result<Header, String> {
    let mut p = Parser {
        chars: text
            .trim_end_matches(['\n', ' ', '\0'])
            .char_indices()
            .peekable(),
        text,
    };
    let entries = p.dict()?;
    let find = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    for (i, (key, _)) in entries.iter().enumerate() {
        if entries[..i].iter().any(|(k, _)| k == key) {
            return Err(format!("the .npy header gives '{key}' twice"));
        }
    }
    let descr = match find("descr") {
        Some(Literal::Text(d)) => d.clone(),
        _ => return Err("the .npy header has no dtype ('descr')".into()),
    };
    let little_endian = match descr.as_str() {
        "<f4" | "=f4" | "|f4" | "f4" => true,
        ">f4" => false,
        other => return Err(dtype_problem(other)),
    };
    let fortran_order = match find("fortran_order") {
        Some(Literal::Bool(b)) => *b,
        None => false,
        _ => return Err("the .npy header's 'fortran_order' is not True or False".into()),
    };
    let shape = match find("shape") {
        Some(Literal::Tuple(shape)) => shape.clone(),
        _ => return Err("the .npy header has no shape".into()),
    };
    if shape.len() != 2 {
        return Err(format!(
            "the array has {} dimension(s), expected 2 (one row per input row)",
            shape.len()
        ));
    }
    Ok(Header {
        little_endian,
        fortran_order,
        rows: shape[0],
        cols: shape[1],
        offset: 0,
    })
}

/// What to say of a dtype other than float32.
fn dtype_problem(descr: &str) -> String {
    let kind = match descr.trim_start_matches(['<', '>', '=', '|']) {
        "f2" | "e" => " (float16)",
        "f8" | "d" => " (float64)",
        "i8" | "i4" | "i2" | "i1" | "u1" | "u2" | "u4" | "u8" => " (integers)",
        _ => "",
    };
    format!(
        "the array's dtype is '{descr}'{kind}, expected float32 ('<f4'); convert it with numpy's astype('float32')"
    )
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }

    fn expect(&mut self, wanted: char) -> std::result::Result<(), String> {
        self.skip_space();
        match self.chars.next() {
            Some((_, c)) if c == wanted => Ok(()),
            Some((at, c)) => Err(format!(
                "the .npy header is not a dictionary: '{c}' at byte {at} where '{wanted}' was expected"
            )),
            None => Err(format!("the .npy header ends where '{wanted}' was expected")),
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.peek().map(|&(_, c)| c)
    }

    fn dict(&mut self) -> std::result::Result<Vec<(String, Literal)>, String> {
        self.expect('{')?;
        let mut entries = Vec::new();
        loop {
            if self.peek() == Some('}') {
                self.chars.next();
                break;
            }
            let key = self.string()?;
            self.expect(':')?;
            let value = self.value()?;
            entries.push((key, value));
            match self.peek() {
                Some(',') => {
                    self.chars.next();
                }
                Some('}') => {}
                _ => return Err("the .npy header is not a dictionary".into()),
            }
            if entries.len() > 16 {
                return Err("the .npy header has too many keys".into());
            }
        }
        if self.peek().is_some() {
            return Err("the .npy header has text after its dictionary".into());
        }
        Ok(entries)
    }

    fn string(&mut self) -> std::result::Result<String, String> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err("the .npy header's keys must be quoted".into()),
        };
        self.chars.next();
        let mut out = String::new();
        for (_, c) in self.chars.by_ref() {
            if c == quote {
                return Ok(out);
            }
            out.push(c);
        }
        Err("the .npy header has an unclosed quote".into())
    }

    fn value(&mut self) -> std::result::Result<Literal, String> {
        match self.peek() {
            Some('\'' | '"') => Ok(Literal::Text(self.string()?)),
            Some('(') => {
                self.chars.next();
                let mut dims = Vec::new();
                loop {
                    match self.peek() {
                        Some(')') => {
                            self.chars.next();
                            return Ok(Literal::Tuple(dims));
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let mut number = String::new();
                            while let Some((_, c)) = self.chars.next_if(|(_, c)| c.is_ascii_digit())
                            {
                                number.push(c);
                            }
                            // Python 2's long suffix, which old numpy wrote.
                            self.chars.next_if(|(_, c)| *c == 'L');
                            let dim = number
                                .parse::<u64>()
                                .map_err(|_| format!("the .npy shape's {number} is too large"))?;
                            dims.push(dim);
                            if dims.len() > 32 {
                                return Err("the .npy shape has too many dimensions".into());
                            }
                            match self.peek() {
                                Some(',') => {
                                    self.chars.next();
                                }
                                Some(')') => {}
                                _ => return Err("the .npy shape is not a tuple of sizes".into()),
                            }
                        }
                        _ => return Err("the .npy shape is not a tuple of sizes".into()),
                    }
                }
            }
            Some(_) => {
                let rest: String = self.text[self.chars.peek().map_or(0, |&(at, _)| at)..]
                    .chars()
                    .take(5)
                    .collect();
                let word = if rest.starts_with("True") {
                    Literal::Bool(true)
                } else if rest.starts_with("False") {
                    Literal::Bool(false)
                } else {
                    return Err(
                        "the .npy header has a value that is not a string, a tuple, True or False"
                            .into(),
                    );
                };
                let len = if word == Literal::Bool(true) { 4 } else { 5 };
                for _ in 0..len {
                    self.chars.next();
                }
                Ok(word)
            }
            None => Err("the .npy header ends inside its dictionary".into()),
        }
    }
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
        assert!(message(&f64s, Some(1)).contains("dtype is '<f8' (float64), expected float32"));
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

    /// An .npy file of `version` with `header` (padded as numpy pads it) and `data`.
    fn npy(version: u8, header: &str, data: &[u8]) -> Vec<u8> {
        let prefix = if version == 1 { 10 } else { 12 };
        let mut header = header.as_bytes().to_vec();
        while !(prefix + header.len() + 1).is_multiple_of(64) {
            header.push(b' ');
        }
        header.push(b'\n');
        let mut out = b"\x93NUMPY".to_vec();
        out.extend_from_slice(&[version, 0]);
        if version == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        out
    }

    fn floats(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn every_spelling_of_a_header_is_read_and_its_shape_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.npy");
        let data = floats(&[3.0, 4.0, 0.0, 2.0]);
        for header in [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
            "{\"shape\":(2,2),\"descr\":\"<f4\",\"fortran_order\":False}",
            "{ 'shape' : ( 2 , 2 ) , 'fortran_order' : False , 'descr' : '<f4' }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 2L), }",
        ] {
            std::fs::write(&path, npy(1, header, &data)).expect("write");
            let v = read(&path, Some(2)).unwrap_or_else(|e| panic!("{header}: {e}"));
            assert_eq!(v.rows, array![[0.6f32, 0.8], [0.0, 1.0]], "{header}");
        }
        // Fortran order is the transpose on disk; version 2 has a 4-byte header length.
        let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
        std::fs::write(&path, npy(2, header, &floats(&[3.0, 0.0, 4.0, 2.0]))).expect("write");
        assert_eq!(
            read(&path, Some(2)).expect("read").rows,
            array![[0.6f32, 0.8], [0.0, 1.0]]
        );
        // Every spelling of a huge shape is refused against the file's size, before any
        // allocation (each of these reached a 10^14-byte allocation once).
        let message = |bytes: Vec<u8>| {
            std::fs::write(&path, bytes).expect("write");
            read(&path, None).expect_err("refused").to_string()
        };
        for header in [
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (100000000000, 1000)}",
            "{'descr':'<f4','fortran_order':False,'shape':(100000000000,1000)}",
        ] {
            assert!(
                message(npy(1, header, &data)).contains("the header announces"),
                "{header}"
            );
        }
        let long = format!(
            "{{'descr': '<f4', 'fortran_order': False, {}'shape': (100000000000, 1000), }}",
            " ".repeat(8000)
        );
        assert!(message(npy(2, &long, &data)).contains("the header announces"));
        let overflow =
            "{'descr': '<f4', 'fortran_order': False, 'shape': (18446744073709551615, 2)}";
        assert!(message(npy(1, overflow, &data)).contains("too large to address"));
        let twice = "{'descr': '<f4', 'shape': (1, 1), 'shape': (2, 2)}";
        assert!(message(npy(1, twice, &data)).contains("'shape' twice"));
        let half = "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }";
        let said = message(npy(1, half, &data));
        assert!(said.contains("'<f2' (float16), expected float32"), "{said}");
        let mut claims = npy(2, "{}", &[]);
        claims[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message(claims).contains("header claims"));
        let extra = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
        assert!(message(npy(1, extra, &data)).contains("8 unexpected bytes"));
    }

    #[test]
    fn a_pipe_is_read_only_as_far_as_its_bytes_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe.npy");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 1000), }";
        let bytes = npy(1, header, &floats(&[1.0, 2.0]));
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, bytes).expect("write the pipe"))
        };
        let said = read(&fifo, None).expect_err("refused").to_string();
        writer.join().expect("writer");
        assert!(said.contains("ends before the array's data"), "{said}");
    }
}
