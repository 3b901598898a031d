//! CRC-32 for the candle cache (server only: the browser has no cache, so no JS binding).

use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::checksum;

/// The CRC-32 of the bytes of a contiguous buffer (bytes, mmap, memoryview, pyarrow Buffer,
/// whatever its item format), continuing from `value`; equal to `zlib.crc32(data, value)`.
/// The GIL is released while it runs.
#[pyfunction]
#[pyo3(signature = (data, value=0))]
fn checksum_crc32(py: Python<'_>, data: &Bound<'_, PyAny>, value: u32) -> PyResult<u32> {
    let buf = PyUntypedBuffer::get(data)
        .ok()
        .filter(|b| b.is_c_contiguous())
        .ok_or_else(|| {
            PyTypeError::new_err(format!(
                "crc32: data must be a contiguous bytes-like object (bytes, mmap, memoryview), got {}",
                data.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
    let len = buf.len_bytes();
    // SAFETY: a contiguous buffer of `len` bytes, exported (so not resizable) while `buf` lives.
    let bytes: &[u8] = if len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(buf.buf_ptr() as *const u8, len) }
    };
    Ok(py.detach(|| checksum::crc32(bytes, value)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(checksum_crc32, m)?)
}
