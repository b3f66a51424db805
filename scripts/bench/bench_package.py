"""Times lambda-async package against zip -qrX, bsdtar (libarchive's own front end) and Python's
zipfile, deflate level 6 for all four.

Each tool runs as its own child process; its wall time comes from perf_counter and its peak
memory (max RSS) from wait4, so the figures are per tool, not per script.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

FILES = int(sys.argv[1])
MEGABYTES = int(sys.argv[2])
LAMBDA_ASYNC = os.environ["LAMBDA_ASYNC"]
WORDS = ("lambda extension runtime invoke freeze response stream bootstrap layer handler "
         "billing duration timeout queue retry destination payload event context").split()


def make_tree(root):
    """A dependency-like tree: 90% small compressible text files, 10% larger random binaries."""
    rng = random.Random(1234)
    binaries = FILES // 10
    text_bytes = MEGABYTES * 1_048_576 * 45 // 100
    binary_bytes = MEGABYTES * 1_048_576 - text_bytes
    for i in range(FILES):
        folder = os.path.join(root, f"pkg{i % 97:02d}", f"mod{i % 13:02d}")
        os.makedirs(folder, exist_ok=True)
        if i % 10 == 0:
            with open(os.path.join(folder, f"lib{i}.so"), "wb") as f:
                f.write(rng.randbytes(binary_bytes // binaries))
        else:
            size = text_bytes // (FILES - binaries)
            line = " ".join(rng.choice(WORDS) for _ in range(12)) + "\n"
            with open(os.path.join(folder, f"file{i}.py"), "w") as f:
                f.write((line * (size // len(line) + 1))[:size])


def measure(argv, cwd=None):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024  # MiB


PY_ZIP = """
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
paths = []
for dirpath, dirnames, filenames in os.walk(root):
    paths += [os.path.join(dirpath, n) for n in filenames]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for p in sorted(paths):
        z.write(p, os.path.relpath(p, root))
"""


def main():
    work = tempfile.mkdtemp(prefix="lambda-async-bench-")
    tree = os.path.join(work, "tree")
    try:
        make_tree(tree)
        total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs)
        print(f"tree: {FILES} files, {total / 1_048_576:.0f} MiB (45% text, 55% random binary)\n")
        ours = os.path.join(work, "ours.zip")
        rows = []

        def run_all(label, ours_extra):
            a = measure([LAMBDA_ASYNC, "package", "--function", tree, "-o", ours] + ours_extra)
            out = os.path.join(work, "zip.zip")
            if os.path.exists(out):
                os.remove(out)
            b = measure(["zip", "-qrX", "-6", out, "."], cwd=tree)
            c = measure([sys.executable, "-c", PY_ZIP, tree, os.path.join(work, "py.zip")])
            d = measure(["bsdtar", "-a", "--options", "zip:compression-level=6", "-cf", os.path.join(work, "bsdtar.zip"), "-C", tree, "."])
            rows.append((label, a, b, c, d))

        run_all("cold", [])
        run_all("warm (nothing changed)", [])
        with open(os.path.join(tree, "pkg00", "mod00", "file1.py"), "a") as f:
            f.write("# changed\n")
        run_all("one file changed", [])

        sizes = {name: os.path.getsize(os.path.join(work, name)) / 1_048_576 for name in ("ours.zip", "zip.zip", "py.zip", "bsdtar.zip")}
        header = (f"{'run':<24}{'lambda-async':>14}{'zip -qrX':>12}{'bsdtar':>10}{'zipfile':>10}"
                  f"{'vs zip':>9}{'vs bsdtar':>11}{'vs zipfile':>12}")
        print(header)
        print("-" * len(header))
        for label, a, b, c, d in rows:
            print(f"{label:<24}{a[0]:>13.2f}s{b[0]:>11.2f}s{d[0]:>9.2f}s{c[0]:>9.2f}s"
                  f"{a[0] / b[0]:>8.2f}x{a[0] / d[0]:>10.2f}x{a[0] / c[0]:>11.2f}x")
        print()
        print(f"{'peak memory (MiB)':<24}{max(r[1][1] for r in rows):>14.0f}{max(r[2][1] for r in rows):>12.0f}"
              f"{max(r[4][1] for r in rows):>10.0f}{max(r[3][1] for r in rows):>10.0f}")
        print(f"{'zip size (MiB)':<24}{sizes['ours.zip']:>14.1f}{sizes['zip.zip']:>12.1f}{sizes['bsdtar.zip']:>10.1f}{sizes['py.zip']:>10.1f}")
        print(f"{'unchanged / cold':<24}{rows[1][1][0] / rows[0][1][0]:>13.3f}x  (lambda-async's own re-run against its cold run)")
        print("\nratios are lambda-async time / peer time: below 1.00x is faster than the peer.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
