"""Read and write IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number, then one big-endian uint32 per dimension, then the values in C order,
big-endian::

    byte 0, 1   0x00 0x00
    byte 2      dtype code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    byte 3      number of dimensions
    ...         the sizes (uint32 each), then the data

Files may be gzipped (the official downloads are); :func:`read_idx` tells by the gzip magic bytes ``1f 8b``,
not by the file name.

Example::

    >>> write_idx("labels.idx1-ubyte.gz", np.arange(10, dtype=np.uint8))
    >>> read_idx("labels.idx1-ubyte.gz")
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], dtype=uint8)
"""
import gzip
import os
import zlib

import numpy as np

from ..file_safety import atomic_write

_GZIP_MAGIC = b"\x1f\x8b"

# dtype code -> big-endian numpy dtype as stored in the file
_CODE_TO_DTYPE = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_DTYPE_TO_CODE = {dt.newbyteorder("="): code for code, dt in _CODE_TO_DTYPE.items()}


class IDXError(ValueError):
    """The bytes are not a valid IDX file (wrong magic, unknown dtype, bad dimensions, truncated data)."""


def read_idx(path):
    """Read an IDX file (raw or gzipped) into a native-endian, writable numpy array.

    Args:
        path: file path (``str`` or ``os.PathLike``).

    Returns:
        ndarray of the file's shape; dtype uint8, int8, int16, int32, float32 or float64.

    Raises:
        IDXError: the file is not IDX, is truncated, has extra bytes, or its gzip stream is corrupt.
        FileNotFoundError: there is no such file.
    """
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
            raise IDXError(f"{os.fspath(path)}: corrupt gzip stream ({e})") from e
    return parse_idx(raw, name=os.fspath(path))


def parse_idx(buf, name="<bytes>"):
    """Parse the bytes of an (uncompressed) IDX file; see :func:`read_idx`."""
    if len(buf) < 4:
        raise IDXError(f"{name}: too short for an IDX header ({len(buf)} bytes, need at least 4)")
    if buf[0] != 0 or buf[1] != 0:
        raise IDXError(f"{name}: wrong magic number {bytes(buf[:4]).hex()} "
                       f"(an IDX file starts with 00 00, then a dtype code and the number of dimensions)")
    code, ndim = buf[2], buf[3]
    if code not in _CODE_TO_DTYPE:
        known = ", ".join(f"0x{c:02X}" for c in _CODE_TO_DTYPE)
        raise IDXError(f"{name}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(f"{name}: bad dimensions: the header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise IDXError(f"{name}: truncated header: {ndim} dimensions need {header} bytes, file has {len(buf)}")
    shape = tuple(int(s) for s in np.frombuffer(buf, dtype=">u4", count=ndim, offset=4))
    dtype = _CODE_TO_DTYPE[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(buf) - header
    if actual < expected:
        raise IDXError(f"{name}: truncated data: shape {shape} of {dtype.newbyteorder('=')} needs "
                       f"{expected} bytes after the header, file has {actual}")
    if actual > expected:
        raise IDXError(f"{name}: bad dimensions: shape {shape} of {dtype.newbyteorder('=')} needs {expected} "
                       f"bytes after the header, file has {actual} ({actual - expected} extra)")
    values = np.frombuffer(buf, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    # astype copies: the result is writable and no longer pins the file's bytes
    return values.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def write_idx(path, array, compress=None):
    """Write ``array`` as an IDX file, atomically (temporary file, then rename).

    Args:
        path: destination.
        array: array-like of dtype uint8, int8, int16, int32, float32 or float64 (others raise ``IDXError``),
            with 1 to 255 dimensions, each below 2**32.
        compress: gzip the file; ``None`` means "if ``path`` ends with ``.gz``". The gzip header carries no
            time stamp, so equal arrays give equal bytes.
    """
    array = np.asarray(array)
    dtype = array.dtype.newbyteorder("=")
    if dtype not in _DTYPE_TO_CODE:
        raise IDXError(f"IDX cannot store dtype {array.dtype} "
                       f"(supported: uint8, int8, int16, int32, float32, float64)")
    if not 1 <= array.ndim <= 255 or any(s >= 2**32 for s in array.shape):
        raise IDXError(f"IDX cannot store shape {array.shape} (1 to 255 dimensions, each below 2**32)")
    code = _DTYPE_TO_CODE[dtype]
    payload = (bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
               + np.ascontiguousarray(array, dtype=_CODE_TO_DTYPE[code]).tobytes())
    path = os.fspath(path)
    if compress is None:
        compress = path.endswith(".gz")
    if compress:
        payload = gzip.compress(payload, mtime=0)
    atomic_write_bytes(path, payload)


def atomic_write_bytes(path, payload):
    """Write ``payload`` to ``path`` so that readers see the old file or the whole new one, never a part
    (:func:`autograd_core.file_safety.atomic_write`)."""
    atomic_write(path, lambda f: f.write(payload))
