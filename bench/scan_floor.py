"""The floor under reading a scanned PDF on this machine: per page only what no reader can
skip (take the page's JPEG out of the PDF, decode it, find the QR code), no store, no
measuring. Issue 12 put that floor at roughly 260-300 pages/s when it set the target of
80 pages/s for ``formgen scan import``; the machine is shared and its speed varies from
day to day, so this prints today's floor beside today's figures (``scan_corpus.py`` runs
it on its 100-page PDF).

    .venv/bin/python bench/scan_floor.py FILE.pdf [--threads N] [--runs N]

Two floors, each in a new process (the whole command, start-up included, as people
run one) and in-process (pages/s around the loop): ``full`` decodes every page at full
size and looks for the code on the whole page, as the issue's floor did; ``cheapest``
decodes at half size and looks only in the top right corner (where an upright form's
code is), which is less than formgen can do on real scans. Prints one JSON line per
floor: ``{"floor", "pages", "found", "command_s", "in_process_pages_s", "start_s"}``
(medians of ``--runs``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CHILD = r"""
import json, sys, threading, time
start = time.perf_counter()
from concurrent.futures import ThreadPoolExecutor
import cv2, numpy as np, pypdfium2, zxingcpp

path, threads, floor = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cv2.setNumThreads(1)  # one page per thread, as formgen reads them
document = pypdfium2.PdfDocument(path)
lock = threading.Lock()  # pdfium is not thread-safe


def page(index):
    with lock:
        pdf_page = document[index]
        image = next(pdf_page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,)))
        data = bytes(image.get_data(decode_simple=False))
        pdf_page.close()
    cheapest = floor == "cheapest"
    flags = cv2.IMREAD_REDUCED_GRAYSCALE_2 if cheapest else cv2.IMREAD_GRAYSCALE
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if cheapest:
        h, w = gray.shape
        gray = np.ascontiguousarray(gray[: h * 4 // 10, w // 2 :])
    found = zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False, try_invert=False,
        try_downscale=not cheapest,
    )
    return bool(found)


loaded = time.perf_counter()
with ThreadPoolExecutor(threads) as pool:
    found = list(pool.map(page, range(len(document))))
done = time.perf_counter()
print(json.dumps({"pages": len(found), "found": sum(found), "loop_s": done - loaded,
                  "start_s": loaded - start}))
"""

FLOORS = ("full", "cheapest")


def measure(path: str, threads: int, floor: str, runs: int) -> dict[str, object]:
    commands, loops, starts = [], [], []
    result: dict[str, object] = {}
    for _ in range(runs):
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, path, str(threads), floor],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        commands.append(time.perf_counter() - began)
        result = json.loads(out)
        loops.append(result["loop_s"])
        starts.append(result["start_s"])
    pages = int(result["pages"])  # type: ignore[call-overload]
    return {
        "floor": floor,
        "pages": pages,
        "found": result["found"],
        "command_s": round(statistics.median(commands), 3),
        "in_process_pages_s": round(pages / statistics.median(loops), 1),
        "start_s": round(statistics.median(starts), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for floor in FLOORS:
        print(json.dumps(measure(args.pdf, args.threads, floor, args.runs)), flush=True)


if __name__ == "__main__":
    main()
