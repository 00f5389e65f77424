//! Zip archives written by hand for the GTFS limit tests: honest members, and members whose
//! header lies about their size (zip bombs). Shared by `hubplan-transit/tests/zip_limits.rs`
//! and `hubplan-cli/tests/bad_inputs.rs` (through `#[path]`), so each test file uses a part.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// CRC-32 (IEEE), as zip stores it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip member: name, method (0 stored, 8 deflate), the bytes as stored, CRC-32 and the
/// *declared* uncompressed size.
pub struct Member {
    pub name: String,
    pub method: u16,
    pub data: Vec<u8>,
    pub crc: u32,
    pub declared: u32,
}

impl Member {
    /// An honest member holding `data` as deflate stored blocks, with its true size and CRC.
    pub fn honest(name: &str, data: &[u8]) -> Member {
        Member::deflated(name, deflate_stored(data), crc32(data), data.len() as u32)
    }
    /// An honest member holding `data` uncompressed (method 0).
    pub fn stored(name: &str, data: &[u8]) -> Member {
        Member {
            name: name.to_string(),
            method: 0,
            data: data.to_vec(),
            crc: crc32(data),
            declared: data.len() as u32,
        }
    }
    /// A deflated member with the given CRC and declared size (true or not).
    pub fn deflated(name: &str, deflated: Vec<u8>, crc: u32, declared: u32) -> Member {
        Member {
            name: name.to_string(),
            method: 8,
            data: deflated,
            crc,
            declared,
        }
    }
}

/// Writes a zip archive by hand (local headers, central directory, end record), streaming
/// the member data to the file.
pub fn write_zip(path: &Path, members: &[Member]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create zip"));
    let mut central = Vec::new();
    let mut offset = 0u32;
    for m in members {
        let mut h = Vec::new();
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes()); // version needed
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&m.method.to_le_bytes());
        h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        h.extend_from_slice(&m.crc.to_le_bytes());
        h.extend_from_slice(&(m.data.len() as u32).to_le_bytes());
        h.extend_from_slice(&m.declared.to_le_bytes());
        h.extend_from_slice(&(m.name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(m.name.as_bytes());
        f.write_all(&h).expect("write zip");
        f.write_all(&m.data).expect("write zip");
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&h[4..30]); // version needed … extra length
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(m.name.as_bytes());
        offset += (h.len() + m.data.len()) as u32;
    }
    let mut end = Vec::new();
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    end.extend_from_slice(&[0; 4]); // disk numbers
    end.extend_from_slice(&(members.len() as u16).to_le_bytes());
    end.extend_from_slice(&(members.len() as u16).to_le_bytes());
    end.extend_from_slice(&(central.len() as u32).to_le_bytes());
    end.extend_from_slice(&offset.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    f.write_all(&central).expect("write zip");
    f.write_all(&end).expect("write zip");
    f.flush().expect("write zip");
}

/// A raw deflate stream of stored (uncompressed) blocks holding `data`.
pub fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunks: Vec<&[u8]> = data.chunks(65_535).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    for (i, c) in chunks.iter().enumerate() {
        out.push(u8::from(i == last)); // BFINAL, BTYPE = 00 (stored), padded to the byte
        out.extend_from_slice(&(c.len() as u16).to_le_bytes());
        out.extend_from_slice(&(!(c.len() as u16)).to_le_bytes());
        out.extend_from_slice(c);
    }
    out
}

/// A raw deflate stream (one fixed-Huffman block) that inflates to `n` zero bytes, `n ≡ 1 mod 258`:
/// a literal 0, then matches of length 258 at distance 1, 13 bits each.
pub fn deflate_zeros(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn lsb(&mut self, value: u64, n: u32) {
            self.acc |= value << self.len;
            self.len += n;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code: most significant bit first.
        fn code(&mut self, code: u64, n: u32) {
            let rev = (0..n).fold(0, |r, i| r | (((code >> i) & 1) << (n - 1 - i)));
            self.lsb(rev, n);
        }
    }
    assert_eq!((n - 1) % 258, 0);
    let matches = (n - 1) / 258;
    let mut b = Bits {
        out: Vec::with_capacity((matches * 13 / 8 + 16) as usize),
        acc: 0,
        len: 0,
    };
    b.lsb(1, 1); // BFINAL
    b.lsb(1, 2); // BTYPE = fixed Huffman
    b.code(0x30, 8); // literal 0
    for _ in 0..matches {
        b.code(0xC5, 8); // length symbol 285 = 258
        b.code(0, 5); // distance code 0 = 1
    }
    b.code(0, 7); // end of block (256)
    b.lsb(0, 7); // pad the last byte
    b.out
}
