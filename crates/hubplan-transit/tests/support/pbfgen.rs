//! A minimal OpenStreetMap PBF writer for tests (the `osmpbf` crate only reads).
//!
//! Writes the format of <https://wiki.openstreetmap.org/wiki/PBF_Format>: a header blob
//! (`OSMHeader`, HeaderBlock with `OsmSchema-V0.6`) and one data blob (`OSMData`,
//! PrimitiveBlock with a string table, one group of plain `Node`s and one group of `Way`s),
//! stored uncompressed (`Blob.raw`), each preceded by its `BlobHeader` and that header's length
//! as a 4-byte big-endian integer. Protocol-buffer encoding is written by hand: varints,
//! zig-zag `sint64`, length-delimited fields, packed repeated fields.
#![allow(dead_code)]

/// A node: id, lon, lat, tags.
pub type Node<'a> = (i64, f64, f64, &'a [(&'a str, &'a str)]);
/// A way: id, node ids, tags.
pub type Way<'a> = (i64, &'a [i64], &'a [(&'a str, &'a str)]);

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn bytes_field(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    key(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, 0);
    varint(out, v);
}

fn packed(out: &mut Vec<u8>, field: u32, vals: impl IntoIterator<Item = u64>) {
    let mut buf = Vec::new();
    for v in vals {
        varint(&mut buf, v);
    }
    bytes_field(out, field, &buf);
}

struct Strings(Vec<String>);

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(i) = self.0.iter().position(|x| x == s) {
            return i as u64;
        }
        self.0.push(s.to_string());
        (self.0.len() - 1) as u64
    }
}

fn blob(out: &mut Vec<u8>, kind: &str, payload: &[u8]) {
    let mut b = Vec::new();
    bytes_field(&mut b, 1, payload); // raw
    varint_field(&mut b, 2, payload.len() as u64); // raw_size
    let mut h = Vec::new();
    bytes_field(&mut h, 1, kind.as_bytes()); // type
    varint_field(&mut h, 3, b.len() as u64); // datasize
    out.extend_from_slice(&(h.len() as u32).to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(&b);
}

/// The bytes of an `.osm.pbf` file with these nodes and ways.
pub fn pbf(nodes: &[Node], ways: &[Way]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut header = Vec::new();
    bytes_field(&mut header, 4, b"OsmSchema-V0.6"); // required_features
    blob(&mut out, "OSMHeader", &header);

    let mut st = Strings(vec![String::new()]);
    let mut node_group = Vec::new();
    for &(id, lon, lat, tags) in nodes {
        let mut n = Vec::new();
        key(&mut n, 1, 0);
        varint(&mut n, zigzag(id));
        if !tags.is_empty() {
            let ks: Vec<u64> = tags.iter().map(|t| st.id(t.0)).collect();
            let vs: Vec<u64> = tags.iter().map(|t| st.id(t.1)).collect();
            packed(&mut n, 2, ks);
            packed(&mut n, 3, vs);
        }
        // granularity 100 nanodegrees: units of 1e-7 degrees
        key(&mut n, 8, 0);
        varint(&mut n, zigzag((lat * 1e7).round() as i64));
        key(&mut n, 9, 0);
        varint(&mut n, zigzag((lon * 1e7).round() as i64));
        bytes_field(&mut node_group, 1, &n);
    }
    let mut way_group = Vec::new();
    for &(id, refs, tags) in ways {
        let mut w = Vec::new();
        varint_field(&mut w, 1, id as u64);
        let ks: Vec<u64> = tags.iter().map(|t| st.id(t.0)).collect();
        let vs: Vec<u64> = tags.iter().map(|t| st.id(t.1)).collect();
        packed(&mut w, 2, ks);
        packed(&mut w, 3, vs);
        let mut prev = 0i64;
        let deltas: Vec<u64> = refs
            .iter()
            .map(|&r| {
                let d = r - prev;
                prev = r;
                zigzag(d)
            })
            .collect();
        packed(&mut w, 8, deltas);
        bytes_field(&mut way_group, 3, &w);
    }
    let mut table = Vec::new();
    for s in &st.0 {
        bytes_field(&mut table, 1, s.as_bytes());
    }
    let mut block = Vec::new();
    bytes_field(&mut block, 1, &table);
    bytes_field(&mut block, 2, &node_group);
    bytes_field(&mut block, 2, &way_group);
    blob(&mut out, "OSMData", &block);
    out
}
