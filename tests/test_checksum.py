"""The cache's CRC-32 kernel equals zlib.crc32 on every kind of buffer the cache hands it."""

import mmap
import random
import zlib
from array import array

import pyarrow as pa
import pytest

from cracktrader.kernels.checksum import crc32


def test_equals_zlib_on_any_buffer(tmp_path):
    data = random.Random(5).randbytes(300_001)
    assert crc32(b"") == 0 and crc32(b"123456789") == 0xCBF43926
    assert crc32(data) == zlib.crc32(data)
    assert crc32(data[7:], crc32(data[:7])) == zlib.crc32(data)  # continues a running CRC
    doubles = array("d", [1.5, -2.25, float("nan")])
    assert crc32(doubles) == crc32(memoryview(doubles)) == zlib.crc32(doubles.tobytes())
    assert crc32(pa.py_buffer(data)) == zlib.crc32(data)  # pyarrow exports format 'b'
    path = tmp_path / "f"
    path.write_bytes(data)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        assert crc32(m) == zlib.crc32(data)


def test_refuses_what_is_not_contiguous_bytes():
    with pytest.raises(TypeError, match="crc32: data must be a contiguous bytes-like object"):
        crc32("text")
    with pytest.raises(TypeError, match="contiguous"):
        crc32(memoryview(b"abcdef")[::2])
