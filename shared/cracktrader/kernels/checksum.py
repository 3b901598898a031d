"""CRC-32 for the candle cache (wasm/src/checksum.rs): `crc32(data, value=0)` over the bytes
of any contiguous buffer (bytes, mmap, memoryview, pyarrow Buffer), continuing from `value`,
equal to `zlib.crc32` but several times faster (the CPU's carry-less multiply), the GIL
released. Native only: the browser has no cache."""

from ._backend import backend, implementation

if backend != "native":
    raise ImportError("cracktrader.kernels.checksum is server-only: the browser has no candle cache")

crc32 = implementation("checksum").checksum_crc32
