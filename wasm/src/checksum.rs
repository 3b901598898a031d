//! CRC-32 of bytes (zlib's polynomial: equal to Python's `zlib.crc32`). The candle cache
//! records one per partition file and checks it on every whole-file read, so the check must
//! cost little next to decoding the file: crc32fast picks PCLMULQDQ/VPCLMULQDQ at run time,
//! several times faster than zlib's table-driven loop or Parquet's page checksums.

/// The CRC-32 of `data`, continuing from `value` (the CRC of the bytes before; 0 to start).
pub fn crc32(data: &[u8], value: u32) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(value);
    hasher.update(data);
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(crc32(b"", 0), 0);
        assert_eq!(crc32(b"123456789", 0), 0xCBF4_3926); // the CRC-32 check value
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog", 0),
            0x414F_A339
        );
    }

    #[test]
    fn continues_from_a_previous_value() {
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let whole = crc32(&data, 0);
        for cut in [0, 1, 63, 64, 4096, 99_999, 100_000] {
            assert_eq!(
                crc32(&data[cut..], crc32(&data[..cut], 0)),
                whole,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn detects_one_flipped_bit() {
        let mut data = vec![7u8; 1 << 20];
        let clean = crc32(&data, 0);
        data[123_456] ^= 0x10;
        assert_ne!(crc32(&data, 0), clean);
    }
}
