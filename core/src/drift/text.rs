//! Codes of a text column laid out as Arrow's `string` / `large_string` arrays (pandas' default
//! string dtype, polars, pyarrow): one offsets array into one byte buffer and a validity
//! bitmap, read in place. Codes number the distinct strings by first appearance; a drift
//! report then maps both samples' levels onto their sorted union.
//!
//! The hash table is keyed by a string's bytes themselves when it has at most 16 (two words
//! and the length: no byte comparison), else by a 64-bit hash confirmed on the bytes at every
//! hit, so distinct strings never share a code.

use crate::error::{Error, Result};

/// Codes and levels of a text column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextCodes {
    /// Code per row: an index into `levels`, or `u32::MAX` for a null.
    pub codes: Vec<u32>,
    /// Distinct strings in order of first appearance.
    pub levels: Vec<String>,
}

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;
/// Marks a table key as a long string's hash (short strings carry their length, at most 16).
const LONG: u64 = u64::MAX;
const EMPTY: u32 = u32::MAX;

/// A string's table key: up to 16 bytes as two little-endian words and the length, or the
/// hash of a longer one (confirmed on the bytes at every hit).
#[inline]
fn table_key(data: &[u8], start: usize, s: &[u8]) -> (u64, u64, u64) {
    let len = s.len();
    if len > 16 {
        let mut h = (len as u64).wrapping_mul(MIX);
        for chunk in s.chunks(8) {
            let mut w = [0_u8; 8];
            if let Some(dst) = w.get_mut(..chunk.len()) {
                dst.copy_from_slice(chunk);
            }
            h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(MIX);
        }
        return (h, 0, LONG);
    }
    // Two unaligned 8-byte loads past the string where the buffer allows, masked to it.
    let load = |at: usize| {
        data.get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    };
    let (w0, w1) = match (load(start), load(start + 8)) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            let mut w = [0_u8; 16];
            if let Some(dst) = w.get_mut(..len) {
                dst.copy_from_slice(s);
            }
            let (lo, hi) = w.split_at(8);
            let word = |b: &[u8]| <[u8; 8]>::try_from(b).map_or(0, u64::from_le_bytes);
            (word(lo), word(hi))
        }
    };
    let mask = |bytes: usize| {
        if bytes >= 8 {
            u64::MAX
        } else {
            (1_u64 << (8 * bytes)) - 1
        }
    };
    (w0 & mask(len), w1 & mask(len.saturating_sub(8)), len as u64)
}

/// The table slot of `key` in a table of `mask + 1` (a power of two, at least 2) entries:
/// the top bits of one multiply, which depend on every bit of the folded key.
#[inline]
fn slot_of(key: (u64, u64, u64), mask: usize) -> usize {
    let h = (key.0 ^ key.1.rotate_left(29) ^ key.2.rotate_left(53)).wrapping_mul(MIX);
    // The mask's width from `leading_zeros` (no popcount: baseline x86-64 lacks it).
    let bits = (usize::BITS - mask.leading_zeros()).clamp(1, 63);
    (h >> (64 - bits)) as usize & mask
}

/// Encode rows `0..offsets.len() - 1` of an Arrow text array: row `i` is
/// `data[offsets[i]..offsets[i + 1]]`, null where bit `validity_offset + i` of `validity` is 0.
pub fn encode_text<O: Copy + TryInto<usize>>(
    offsets: &[O],
    data: &[u8],
    validity: Option<&[u8]>,
    validity_offset: usize,
) -> Result<TextCodes> {
    let n = offsets.len().saturating_sub(1);
    if let Some(v) = validity {
        if (validity_offset + n).div_ceil(8) > v.len() {
            return Err(Error::invalid(
                "validity",
                format!(
                    "expected a bitmap of at least {} bytes for {n} rows at bit offset \
                     {validity_offset}, found {}",
                    (validity_offset + n).div_ceil(8),
                    v.len()
                ),
            ));
        }
    }
    let mut codes = Vec::with_capacity(n);
    let mut levels: Vec<&[u8]> = Vec::new();
    // Open addressing over (key, code), a power of two at least four times the levels (few
    // collisions: each costs a mispredicted branch).
    let mut table: Vec<Entry> = vec![((0, 0, 0), EMPTY); 256];
    let mut mask = table.len() - 1;
    for (i, pair) in offsets.windows(2).enumerate() {
        let valid = validity.is_none_or(|v| {
            let bit = validity_offset + i;
            v.get(bit / 8).is_some_and(|b| b >> (bit % 8) & 1 == 1)
        });
        if !valid {
            codes.push(u32::MAX);
            continue;
        }
        let (start, end) = match pair {
            [a, b] => ((*a).try_into().ok(), (*b).try_into().ok()),
            _ => (None, None),
        };
        let Some((start, s)) = start.zip(end).and_then(|(a, b)| Some((a, data.get(a..b)?))) else {
            return Err(Error::invalid(
                "offsets",
                format!(
                    "row {i}: expected increasing offsets within the {} data bytes",
                    data.len()
                ),
            ));
        };
        let key = table_key(data, start, s);
        let mut slot = slot_of(key, mask);
        let code = loop {
            match table.get(slot) {
                Some(&(k, c)) if c != EMPTY && k == key => {
                    if key.2 != LONG || levels.get(c as usize) == Some(&s) {
                        break c;
                    }
                    slot = (slot + 1) & mask;
                }
                Some(&(_, EMPTY)) => {
                    let c = u32::try_from(levels.len())
                        .ok()
                        .filter(|c| *c != EMPTY)
                        .ok_or_else(|| {
                            Error::invalid("data", "expected fewer than 2^32 - 1 distinct strings")
                        })?;
                    levels.push(s);
                    if let Some(e) = table.get_mut(slot) {
                        *e = (key, c);
                    }
                    if 4 * levels.len() > table.len() {
                        table = rehash(&table, table.len() * 2);
                        mask = table.len() - 1;
                    }
                    break c;
                }
                _ => slot = (slot + 1) & mask,
            }
        };
        codes.push(code);
    }
    Ok(TextCodes {
        codes,
        levels: levels
            .into_iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect(),
    })
}

type Entry = ((u64, u64, u64), u32);

fn rehash(table: &[Entry], size: usize) -> Vec<Entry> {
    let mut out = vec![((0, 0, 0), EMPTY); size];
    let mask = size - 1;
    for &(k, c) in table.iter().filter(|e| e.1 != EMPTY) {
        let mut slot = slot_of(k, mask);
        while out.get(slot).is_some_and(|e| e.1 != EMPTY) {
            slot = (slot + 1) & mask;
        }
        if let Some(e) = out.get_mut(slot) {
            *e = (k, c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrow(rows: &[Option<&str>]) -> (Vec<i64>, Vec<u8>, Vec<u8>) {
        let mut offsets = vec![0_i64];
        let mut data = Vec::new();
        let mut validity = vec![0_u8; rows.len().div_ceil(8)];
        for (i, r) in rows.iter().enumerate() {
            if let Some(s) = r {
                data.extend_from_slice(s.as_bytes());
                validity[i / 8] |= 1 << (i % 8);
            }
            offsets.push(data.len() as i64);
        }
        (offsets, data, validity)
    }

    #[test]
    fn codes_by_first_appearance_and_nulls() {
        let long = "a string longer than sixteen bytes";
        let rows = [
            Some("b"),
            Some("a"),
            None,
            Some("b"),
            Some(""),
            Some(long),
            Some("a string longer than sixteen bytez"),
            Some(long),
            Some("é"),
        ];
        let (o, d, v) = arrow(&rows);
        let t = encode_text(&o, &d, Some(&v), 0).unwrap();
        assert_eq!(t.codes, vec![0, 1, u32::MAX, 0, 2, 3, 4, 3, 5]);
        assert_eq!(
            t.levels,
            vec![
                "b",
                "a",
                "",
                long,
                "a string longer than sixteen bytez",
                "é"
            ]
        );
        // A slice of the array: rows 2.. with the bitmap's offset.
        let t = encode_text(&o[2..], &d, Some(&v), 2).unwrap();
        assert_eq!(t.codes, vec![u32::MAX, 0, 1, 2, 3, 2, 4]);
    }

    #[test]
    fn lengths_around_the_word_sizes_stay_distinct() {
        let words = [
            "1234567",
            "12345678",
            "123456789",
            "123456781",
            "1234567890123456",
            "1234567890123457",
            "123456789012345",
            "12345678901234567",
            "12345678901234568",
            "1234567",
            "12345678",
        ];
        let rows: Vec<Option<&str>> = words.iter().map(|w| Some(*w)).collect();
        let (o, d, _) = arrow(&rows);
        let t = encode_text(&o, &d, None, 0).unwrap();
        assert_eq!(t.codes, vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1]);
    }

    #[test]
    fn many_levels_grow_the_table() {
        let words: Vec<String> = (0..5000).map(|i| format!("level_{}", i % 1234)).collect();
        let rows: Vec<Option<&str>> = words.iter().map(|w| Some(w.as_str())).collect();
        let (o, d, _) = arrow(&rows);
        let t = encode_text(&o, &d, None, 0).unwrap();
        assert_eq!(t.levels.len(), 1234);
        for (w, c) in words.iter().zip(&t.codes) {
            assert_eq!(&t.levels[*c as usize], w);
        }
    }

    #[test]
    fn bad_offsets_are_an_error() {
        let e = encode_text(&[0_i64, 5], b"abc", None, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 0") && e.contains("3 data bytes"), "{e}");
        let e = encode_text(&[0_i64, 1, 2], b"ab", Some(&[]), 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("bitmap"), "{e}");
    }
}
