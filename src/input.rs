//! Reading the files a user gives kubesim, within the stated limits: regular
//! files only, at most [`MAX_INPUT_BYTES`], and UTF-8 text, with the line and
//! column of the first byte that is not. Knows nothing of what the files mean.

use crate::limits::MAX_INPUT_BYTES;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// Missing, unreadable, not a regular file or too large: the message
    /// says which (the caller names the file, or the field that named it).
    Io(String),
    /// Not UTF-8: at this 1-based line and column (in characters) of the file.
    Utf8 {
        line: u32,
        column: u32,
        message: String,
    },
}

/// Reads a whole input file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read_bytes(path).map_err(|e| ReadError::Io(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..at]).expect("valid up to here");
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError::Utf8 {
            line: line.min(u32::MAX as usize) as u32,
            column: column.min(u32::MAX as usize) as u32,
            message: format!(
                "expected UTF-8 text, found the byte 0x{:02x}, which is not valid UTF-8 there",
                bytes[at]
            ),
        }
    })
}

/// Reads a whole input file's bytes: a regular file of at most
/// [`MAX_INPUT_BYTES`] (checked before reading, and again while reading, in
/// case the file grows).
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let file = fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (kubesim reads only regular files)",
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than the limit of {} MiB on an input file",
                MAX_INPUT_BYTES >> 20
            ),
        )
    };
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Whether a file is one kubesim would read (a regular file within the
/// limit), without reading it.
pub fn is_readable_input(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_INPUT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            if Path::new(path).exists() {
                match read_text(Path::new(path)) {
                    Err(ReadError::Io(m)) => assert!(m.contains("not a regular file"), "{m}"),
                    other => panic!("{path}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn invalid_utf8_is_located() {
        let path = std::env::temp_dir().join(format!("kubesim-utf8-{}", std::process::id()));
        fs::write(&path, b"name: a\nseed: 1 \xc3\xa9 \xff\n").unwrap();
        match read_text(&path) {
            Err(ReadError::Utf8 {
                line,
                column,
                message,
            }) => {
                // "seed: 1 é " is 10 characters; the bad byte is the 11th.
                assert_eq!((line, column), (2, 11));
                assert!(message.contains("0xff"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let path = std::env::temp_dir().join(format!("kubesim-large-{}", std::process::id()));
        let f = fs::File::create(&path).unwrap();
        // A sparse file: no disk used.
        f.set_len(MAX_INPUT_BYTES + 1).unwrap();
        match read_bytes(&path) {
            Err(e) => assert!(e.to_string().contains("256 MiB"), "{e}"),
            Ok(_) => panic!("read a file over the limit"),
        }
        fs::remove_file(&path).unwrap();
    }
}
