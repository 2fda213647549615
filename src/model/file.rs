//! The model file: a [`TopicModel`] <-> bytes, versioned and checksummed.
//!
//! Layout (integers little-endian):
//!
//! | bytes | what |
//! |---|---|
//! | 16 | [`MAGIC`]: `\x89topictag\r\n\x1a\n\0\0\0` — the high byte catches 7-bit transfers, the CR LF and LF catch line-ending conversions |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 1 + n | the topictag version that wrote the file (length, then UTF-8) |
//! | 8 | content length in bytes |
//! | 4 | CRC-32 of the content |
//! | n | content: the model in postcard (serde's compact binary format) |
//!
//! A reader checks each in turn, so an empty, foreign, truncated, bit-flipped or newer file is
//! named as such, and it checks the decoded content for consistency before anything uses it.

use super::TopicModel;
use crate::error::{Error, ModelProblem, Result};

/// The first bytes of every model file.
pub const MAGIC: &[u8; 16] = b"\x89topictag\r\n\x1a\n\0\0\0";

/// The content layout this build writes and reads. Raise it whenever the serialized structs
/// change shape; a file of another version is refused with a message saying so.
pub const FORMAT_VERSION: u32 = 7;

/// The longest writer version string accepted (the field's length is one byte anyway).
const VERSION_FIELD: usize = 255;

pub(super) fn encode(model: &TopicModel) -> Result<Vec<u8>> {
    let failed = |e: postcard::Error| Error::compute_from("cannot encode the model", e);
    // Sized first, then written once into a buffer of the exact size: growing a buffer by
    // doubling would touch twice the model's size in fresh memory (16 MB at 20newsgroups).
    let length = postcard::serialize_with_flavor::<_, postcard::ser_flavors::Size, usize>(
        model,
        postcard::ser_flavors::Size::default(),
    )
    .map_err(failed)?;
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let version = &version[..version.len().min(VERSION_FIELD)];
    let header = MAGIC.len() + 4 + 1 + version.len() + 8 + 4;
    let mut bytes = Vec::with_capacity(header + length);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.push(version.len() as u8);
    bytes.extend_from_slice(version);
    bytes.extend_from_slice(&(length as u64).to_le_bytes());
    bytes.extend_from_slice(&[0; 4]);
    let mut bytes = postcard::to_extend(model, bytes).map_err(failed)?;
    let checksum = crc32fast::hash(&bytes[header..]);
    bytes[header - 4..header].copy_from_slice(&checksum.to_le_bytes());
    Ok(bytes)
}

/// The model and the version of topictag that wrote it.
pub(super) fn decode(bytes: &[u8]) -> std::result::Result<(TopicModel, String), ModelProblem> {
    if bytes.is_empty() {
        return Err(ModelProblem::Empty);
    }
    let mut input = Fields { bytes, at: 0 };
    let magic = input.take(MAGIC.len());
    match magic {
        Some(magic) if magic == MAGIC => {}
        // A prefix of the signature is a model cut short, anything else is some other file.
        _ if MAGIC.starts_with(bytes) => return Err(ModelProblem::Truncated),
        _ => return Err(ModelProblem::Foreign),
    }
    let version = input.u32().ok_or(ModelProblem::Truncated)?;
    let writer_length = input.take(1).ok_or(ModelProblem::Truncated)?[0] as usize;
    let writer = input.take(writer_length).ok_or(ModelProblem::Truncated)?;
    let writer = String::from_utf8_lossy(writer).into_owned();
    if version != FORMAT_VERSION {
        return Err(ModelProblem::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
            writer,
        });
    }
    let length = input.u64().ok_or(ModelProblem::Truncated)?;
    let checksum = input.u32().ok_or(ModelProblem::Truncated)?;
    let rest = &bytes[input.at..];
    let length = usize::try_from(length).map_err(|_| ModelProblem::Truncated)?;
    if rest.len() < length {
        return Err(ModelProblem::Truncated);
    }
    if rest.len() > length {
        return Err(ModelProblem::Inconsistent(format!(
            "{} bytes follow the content",
            rest.len() - length
        )));
    }
    if crc32fast::hash(rest) != checksum {
        return Err(ModelProblem::Checksum);
    }
    let model: TopicModel = postcard::from_bytes(rest)
        .map_err(|e| ModelProblem::Inconsistent(format!("cannot decode its content: {e}")))?;
    Ok((model, writer))
}

/// A model file's bytes from a stream without a size (a FIFO, a device, a pipe), read no further
/// than its own header says: what is not a model (`/dev/zero`) stops after the signature, and
/// the content is read only as far as the header's length (and one byte more, so that bytes
/// after it are noticed), the buffer growing as bytes arrive. [`decode`] then names what is
/// wrong with what was read.
pub(super) fn read_stream(reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut reader = reader;
    let mut bytes = Vec::new();
    let mut more = |bytes: &mut Vec<u8>, n: u64| -> std::io::Result<bool> {
        let before = bytes.len() as u64;
        (&mut reader).take(n).read_to_end(bytes)?;
        Ok(bytes.len() as u64 - before == n)
    };
    if !more(&mut bytes, MAGIC.len() as u64)? || bytes[..] != MAGIC[..] {
        return Ok(bytes);
    }
    if !more(&mut bytes, 4 + 1)? {
        return Ok(bytes);
    }
    let writer = u64::from(bytes[MAGIC.len() + 4]);
    if !more(&mut bytes, writer + 8 + 4)? {
        return Ok(bytes);
    }
    let at = bytes.len() - 12;
    let length = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    more(&mut bytes, length.saturating_add(1))?;
    Ok(bytes)
}

/// Reads the header field by field; `None` once the bytes run out.
struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let field = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(field)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }
}
