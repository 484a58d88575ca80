#!/usr/bin/env python3
"""Makes the embedded Fashion-MNIST subset of the examples, deterministically.

Source: Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), which installs the
four IDX files of Fashion-MNIST (Xiao, Rasul, Vollgraf, 2017; MIT licence, Zalando SE) in
/usr/share/datasets/fashion-mnist. Python 3 standard library only.

Selection: for each split and class, the images of that class are ranked by
SHA-256("fashion-mnist-subset/<split>/<index in the source file>") and the first K are kept
(K = 1000 per class for train, 200 per class for test: 10,000 and 2,000 images). The output lists
them round-robin by class (rank 0 of classes 0..9, then rank 1 of classes 0..9, ...), so the first
10*k images of a file are exactly the subset this script makes with K = k: every prefix whose
length is a multiple of 10 is stratified (equal counts per class).

Output (the standard IDX names, gzipped with mtime 0, no file name, level 9, so that a re-run
produces identical bytes with the same zlib):
  train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz  t10k-images-idx3-ubyte.gz
  t10k-labels-idx1-ubyte.gz   SHA256SUMS (of the .gz files; `sha256sum -c SHA256SUMS`)
  SHA256SUMS-uncompressed (of the IDX payloads; independent of the gzip encoder)

Usage (from the repository root):
  python3 awp-examples/src/main/python/make_fashion_mnist_subset.py            # (re)write
  python3 awp-examples/src/main/python/make_fashion_mnist_subset.py --check    # compare only
"""
import argparse
import gzip
import hashlib
import io
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.normpath(
    os.path.join(HERE, "..", "resources", "dev", "awp", "examples", "fashion-mnist-subset"))
DEFAULT_SOURCE = "/usr/share/datasets/fashion-mnist"

# SHA-256 of the decompressed source files, as Debian's dataset-fashion-mnist 0.0~git20200523
# installs them (the same IDX payloads as upstream's; Debian recompressed the .gz files, so their
# own sums differ from upstream's published MD5s). A different source is refused unless --any-source.
SOURCE_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
CLASSES = 10


def read_source(folder, name, check):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            digest = hashlib.sha256(data).hexdigest()
            if check and digest != SOURCE_SHA256[name]:
                sys.exit(f"{path}: SHA-256 of the IDX payload must be {SOURCE_SHA256[name]} but was "
                         f"{digest}: not Debian's Fashion-MNIST (use --any-source to accept it)")
            return data
    sys.exit(f"missing {name} or {name}.gz in {folder} (apt-get install dataset-fashion-mnist)")


def parse_images(data, name):
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGES_MAGIC or len(data) != 16 + n * rows * cols:
        sys.exit(f"{name}: not an IDX images file of {n} x {rows} x {cols}")
    size = rows * cols
    return [data[16 + i * size:16 + (i + 1) * size] for i in range(n)], rows, cols


def parse_labels(data, name):
    magic, n = struct.unpack(">II", data[:8])
    if magic != LABELS_MAGIC or len(data) != 8 + n:
        sys.exit(f"{name}: not an IDX labels file of {n} labels")
    return list(data[8:])


def select(split, labels, per_class):
    """Source indices, round-robin by class, each class ranked by its SHA-256 key."""
    ranked = []
    for c in range(CLASSES):
        members = [i for i, label in enumerate(labels) if label == c]
        if len(members) < per_class:
            sys.exit(f"{split}: class {c} has {len(members)} images, fewer than {per_class}")
        members.sort(key=lambda i: hashlib.sha256(
            f"fashion-mnist-subset/{split}/{i}".encode("ascii")).digest())
        ranked.append(members[:per_class])
    return [ranked[c][j] for j in range(per_class) for c in range(CLASSES)]


def gzip_bytes(payload):
    """gzip with a fixed header: no file name, mtime 0, level 9 (OS byte 255, as Python writes)."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return out.getvalue()


def make(source, per_class, check_source):
    files = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images_name = f"{prefix}-images-idx3-ubyte"
        labels_name = f"{prefix}-labels-idx1-ubyte"
        images, rows, cols = parse_images(read_source(source, images_name, check_source),
                                          images_name)
        labels = parse_labels(read_source(source, labels_name, check_source), labels_name)
        if len(images) != len(labels):
            sys.exit(f"{split}: {len(images)} images but {len(labels)} labels")
        chosen = select(split, labels, per_class[split])
        n = len(chosen)
        files[images_name] = (struct.pack(">IIII", IMAGES_MAGIC, n, rows, cols)
                              + b"".join(images[i] for i in chosen))
        files[labels_name] = struct.pack(">II", LABELS_MAGIC, n) + bytes(labels[i] for i in chosen)
    return files


def sums(named_bytes):
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in sorted(named_bytes.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="folder of the four IDX files")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="folder to write")
    parser.add_argument("--train-per-class", type=int, default=1000)
    parser.add_argument("--test-per-class", type=int, default=200)
    parser.add_argument("--any-source", action="store_true",
                        help="accept a source whose payloads differ from Debian's")
    parser.add_argument("--check", action="store_true",
                        help="compare with the files in --output instead of writing them")
    args = parser.parse_args()

    payloads = make(args.source, {"train": args.train_per_class, "test": args.test_per_class},
                    not args.any_source)
    compressed = {name + ".gz": gzip_bytes(data) for name, data in payloads.items()}
    outputs = dict(compressed)
    outputs["SHA256SUMS"] = sums(compressed).encode("ascii")
    outputs["SHA256SUMS-uncompressed"] = sums(payloads).encode("ascii")

    if args.check:
        differ = []
        for name, data in sorted(outputs.items()):
            path = os.path.join(args.output, name)
            if not os.path.isfile(path):
                differ.append(f"{name}: missing")
                continue
            with open(path, "rb") as f:
                committed = f.read()
            if committed != data:
                same_payload = (name.endswith(".gz")
                                and gzip.decompress(committed) == payloads[name[:-3]])
                differ.append(f"{name}: differs" + (
                    " (same IDX payload: only the gzip encoding differs, zlib "
                    + zlib.ZLIB_RUNTIME_VERSION + ")" if same_payload else ""))
        for line in differ:
            print(line)
        print("identical" if not differ else f"{len(differ)} of {len(outputs)} files differ")
        sys.exit(1 if differ else 0)

    os.makedirs(args.output, exist_ok=True)
    for name, data in sorted(outputs.items()):
        with open(os.path.join(args.output, name), "wb") as f:
            f.write(data)
    total = sum(len(data) for data in compressed.values())
    print(f"wrote {len(outputs)} files, {total} bytes of gzipped IDX, to {args.output}"
          f" (zlib {zlib.ZLIB_RUNTIME_VERSION})")
    print(outputs["SHA256SUMS"].decode("ascii") + outputs["SHA256SUMS-uncompressed"].decode("ascii"),
          end="")


if __name__ == "__main__":
    main()
