//! Reading the files a user gives kubesim, within the stated limits: regular
//! files only, of at most [`MAX_INPUT_BYTES`]; [`source`] turns them into
//! text with located errors, [`yaml`] parses that text into a tree of
//! positioned nodes, [`decode`] reads the tree field by field, [`diagnostic`]
//! is where and what a problem is and [`quote`] keeps found values short in
//! its message. Knows nothing of what the files mean.

pub mod decode;
pub mod diagnostic;
pub mod node;
pub mod quote;
pub mod source;
pub mod yaml;
mod yaml_events;
mod yaml_serde;

use crate::limits::MAX_INPUT_BYTES;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            if Path::new(path).exists() {
                match read_bytes(Path::new(path)) {
                    Err(e) => assert!(e.to_string().contains("not a regular file"), "{e}"),
                    Ok(_) => panic!("{path} was read"),
                }
            }
        }
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
