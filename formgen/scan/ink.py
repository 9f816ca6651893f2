"""Ink on paper, told from the paper and from print: how much darker than the local paper
each pixel is, which of it is ink (judged against the region's own print, so that the
other side of thin paper shining through is not), strokes as connected ink with dust
and speckle left out, and the printed lines (box outlines, the signature frame) taken
out with their blurred fringes, a stroke that crosses one joined again.

Used by ``measuring`` (boxes, signature field) and ``creases``; coordinates are pixels
of a region cut from the upright page, sizes layout millimetres.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from formgen.scan.pixels import (
    Array,
    _from_histogram,
    _percentile,
    components,
    deviations,
    histogram,
)

OUTLINE_BAND_MM = 0.4  # taken out on either side of a located outline or frame line
FRINGE_MM = 0.7  # ink wholly this near a printed line is its blurred edge (phone photos)
INK_DARKER = 0.09  # a pixel is ink when it is this much darker than the local paper
SHOW_THROUGH = 0.17  # and somewhere this share of the region's print (PRINT_PERCENTILE)
PRINT_PERCENTILE = 99.5  # the print's darkness: box outlines, words, the field's frame
SOLID_PERCENTILE = 5  # solid print's darkness: the middles of a QR code's modules
NOISE_SIGMAS = 2.5  # the show-through bar against solid print stands this far above noise
# On a scan's clean paper (its noise, a robust sigma, under CLEAN_SIGMA levels: a JPEG
# scan's is one level at most, a photo's grain three and more; a noisy scan's is judged
# as clean paper's too, GRAIN_STEP and view.KEYSTONE) the other side's writing
# reaches the bar only where a speck of dust, a scanner's dark dots or a crease's shading
# lies on it: under SPECK_SHARE of the piece (0.1-9 % in random checks, the most where
# dots lie on a small piece), while a mark made on this side is over it along more (the
# lightest pencil of the benchmark's 630 pages: 15 %; a few pencil strokes at 0.5-5 %
# go to a person). On a photo the bar stands above the grain instead (NOISE_SIGMAS), and
# light pencil reaches it at a few pixels only (from 0.15 %): there one pixel counts.
SPECK_SHARE = 0.1
# A noisy scan's dark dots (salt and pepper) lie on the other side's writing too, and
# there lifted 11-15 % of a tick over the bar: 6 pages of 80 gave consent. A region
# is speckled with SPECKLED dots (pieces of ink of SPECK_PX pixels at most that reach
# the bar) per megapixel or more: noisy scans 2,400-4,500, clean ones up to 33 (random
# checks, every scanning condition). There the pieces are judged without the dots.
SPECK_PX = 6
SPECKLED = 1000
CLEAN_SIGMA = 2.0
# A photo's grain lies on its bare paper too; a scan's bare paper is smooth, and a
# spread of its darkness comes from what lies on it: the other side's print and writing
# shining through, whose texture lifted a region's noise over CLEAN_SIGMA (a duplex
# scan of a filled page, 2 fields in 40) and let that writing (its median 0.15 of the
# print, over TYPICAL) read as a signature. A region is a photo's only where the mean
# step between neighbouring pixels of bare paper is GRAIN_STEP levels or more (every
# other pixel; photos: 1.2-3.6, scans with the other side shining through: up to 0.4;
# random checks).
GRAIN_STEP = 0.8
# On a 1-bit page (a scanner's halftone mode: error diffusion) darkness is the density
# of black dots round each pixel, and it scatters: the other side's felt-pen writing at
# 15 % lay 0.10-0.24 of its pixels over the bar (300 random pages), and read as a
# signature on one page in four. A mark made on this side is over it along DOTTED_SHARE
# at least (the lightest pencil from 0.2: such strokes go to a person).
DOTTED_SHARE = 0.3
# On a photo the other side's fill, at its strongest (15 %), lies flat under the bar with
# a few pixels over it: grain, or a box corner's print blurred past the band. A piece
# reaches the bar there only if its typical (median) pixel is darker than TYPICAL of the
# print too, and not by pixels next to the band alone. In random checks the other side's
# fills and strokes in the boxes were 0.09-0.115 of the print; pencil marks made on this
# side from 0.11 (about 1 % under 0.12: those go to a person). Where a crease's shading
# joins the other side's signature it can be 0.19 (README, known limits).
TYPICAL = 0.12
# Where the other side of the sheet is a filled page (printed on the back, or scrap
# paper), its writing at its strongest (15 %) can lie just over TYPICAL: a cross of felt
# pen at 0.122 of the print, a signature at 0.121-0.126, with a few grainy pixels over
# the bar, where light pencil made on this side lies too. That other side's print shows
# as letters under the ink threshold all over a region (``other_side_letters``), as dark
# as it shines through: their 90th percentile (each letter's darkest pixel, smoothed)
# 0.09-0.12 of the print at 15 %, 0.06-0.07 at 8 % (a duplex print on office paper,
# where its writing lies far under TYPICAL). There a piece is ink only with its median
# over SHOWN_RATIO times that (``other_side_typical``), TYPICAL at least: at 15 %
# 0.147-0.19, where the other side's writing lies at 0.09-0.14. Lighter pencil on such
# a page goes to a person (faint: neither a mark nor nothing).
SHOWN_RATIO = 1.6
# A letter of the other side's print: a piece of the region, smoothed, darker than its
# bare paper by SHOWN_SIGMAS of the paper's grain (pixel to pixel, where nothing lies on
# it: the other side's print is smooth and would count itself in) and under the
# show-through bar, SHOWN_CLEAR_MM clear of what reaches the bar (a mark's or the print's
# blurred edge, dust); SHOWN_LETTER_MM across (its bounding box), of SHOWN_PX pixels at
# least, not a line (SHOWN_ELONGATION: a crease's shading). A region shows the other
# side from SHOWN_LETTERS such pieces per 1000 mm2 of its paper clear of ink. Random
# checks (phone photos and photos of folded forms, 80 each; answers regions with pencil,
# ballpoint and felt marks): nothing behind 0-3.5, a filled page behind at 15 % 24-58
# (at 10 %, its writing far under TYPICAL, from 2.6).
SHOWN_SIGMAS = 4.0
SHOWN_CLEAR_MM = 2.0
SHOWN_LETTER_MM = (1.0, 8.0)
SHOWN_PX = 20
SHOWN_ELONGATION = 4.0
SHOWN_LETTERS = 9.0
DUST_MM = 0.8  # ink narrower than this (bounding box) or smaller than DUST_AREA_MM2 is dust
DUST_AREA_MM2 = 0.16


def _px(mm: float, px_mm: float) -> float:
    """Layout mm to the upright page's pixel-centre coordinate."""
    return mm * px_mm - 0.5


def _interior(rect: Sequence[float], inset: float, px_mm: float) -> tuple[int, int, int, int]:
    """Pixel slice bounds (y0, y1, x0, x1) of the pixels whose centres lie in the rect
    moved in by ``inset`` mm on every side (may be negative: moved out)."""
    x, y, w, h = rect
    x0 = math.ceil(_px(x + inset, px_mm))
    x1 = math.floor(_px(x + w - inset, px_mm)) + 1
    y0 = math.ceil(_px(y + inset, px_mm))
    y1 = math.floor(_px(y + h - inset, px_mm)) + 1
    return max(y0, 0), max(y1, 0), max(x0, 0), max(x1, 0)


# --- Paper, ink, strokes ------------------------------------------------------------------


def _darkness(region: Array, px_mm: float) -> Array:
    """0..255 (uint8) how much darker than the local paper each pixel is, relative to
    the paper: a max filter wider than any stroke follows shadows and gradients
    (phone photos)."""
    h, w = region.shape
    if h < 8 or w < 8:
        paper = np.full_like(region, max(round(_percentile(region, 90)), 1))
    else:
        small = cv2.resize(region, (max(w // 4, 2), max(h // 4, 2)), interpolation=cv2.INTER_AREA)
        k = max(3, round(0.75 * px_mm)) | 1  # 3 mm at quarter size
        paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
        paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(cv2.subtract(paper, region), cv2.max(paper, 1), scale=255)


@dataclass(frozen=True)
class Capture:
    """What the whole page says about the ink of each of its regions (``levels``)."""

    solid: float = 0.0  # how dark its solid print is (``solid_print``; 0: each region's own)
    dotted: bool = False  # 1-bit: its gray is the density of black dots (``WarpView.binary``)
    camera: bool = False  # photographed: seen in perspective (``WarpView.camera``)
    typical: float = TYPICAL  # on a photo, a piece's median over this (``other_side_typical``)


SCANNED = Capture()


@dataclass(frozen=True)
class Levels:
    """What a region's darkness says (``levels``), once for every judgement of it: the
    paper's darkness and noise, the print's darkness and the show-through bar."""

    centre: float  # the paper's darkness (the median: most of a region is paper)
    sigma: float  # its noise (a robust sigma, from the median absolute deviation)
    printed: float  # the print's: the region's PRINT_PERCENTILE, or ``solid`` when darker
    # The bar a piece of ink must reach somewhere: SHOW_THROUGH of the print. Measured
    # against solid print, it stands on the paper's own darkness and NOISE_SIGMAS of its
    # noise: a phone photo's grain rides on the other side's writing too, and the darkest
    # of its thousands of pixels lies that far above the rest.
    core: float
    dotted: bool = False  # a 1-bit page's (WarpView.binary): a speck is DOTTED_SHARE
    grainy: bool = False  # a photo's: a camera's page, noisy, on bare paper too (_grain)
    typical: float = TYPICAL  # a photo's piece is ink only with its median over this


def levels(dark: Array, capture: Capture = SCANNED) -> Levels:
    """The ``Levels`` of a region's darkness (``_darkness``), from one histogram of
    every other pixel. The print is the region's own, or the page's solid print when
    that is darker (``solid_print``: thin print blurs lighter on a coarse scan, and the
    bar with it, while a felt pen's wide strokes shining through do not)."""
    counts = histogram(np.ascontiguousarray(dark[::2, ::2]))  # one for every percentile
    centre = _from_histogram(counts, 50)
    sigma = 1.4826 * _from_histogram(deviations(counts, round(centre)), 50)
    printed = max(_from_histogram(counts, PRINT_PERCENTILE), capture.solid)
    core = SHOW_THROUGH * printed
    if capture.solid > 0:
        core = core + centre + NOISE_SIGMAS * sigma
    grainy = capture.camera and sigma >= CLEAN_SIGMA and _grain(dark, centre) >= GRAIN_STEP
    return Levels(centre, sigma, printed, core, capture.dotted, grainy, capture.typical)


def other_side_typical(dark: Array, levels: Levels, px_mm: float) -> float:
    """How dark a photo's piece must be (its median, a share of the print) to be ink, by
    what a region (``dark``, its ``levels``) shows of the other side: TYPICAL, or where
    its print shows through (SHOWN_LETTERS letters per 1000 mm2 and more) SHOWN_RATIO
    times how dark its letters are, when that is more."""
    letters, strength = other_side_letters(dark, levels, px_mm)
    if letters < SHOWN_LETTERS:
        return TYPICAL
    return max(TYPICAL, SHOWN_RATIO * strength)


def other_side_letters(dark: Array, levels: Levels, px_mm: float) -> tuple[float, float]:
    """The letters of the other side's print in a region (pieces under the show-through
    bar, SHOWN_LETTER_MM across, not lines): how many per 1000 mm2 of its paper clear of
    ink, and how dark they are (the 90th percentile of each one's darkest pixel,
    smoothed, over the paper's darkness, a share of the print). A photo's grain,
    smoothed, stays under them; a crease's shading is a line."""
    clear = max(1, round(SHOWN_CLEAR_MM * px_mm))
    near = cv2.dilate((dark >= levels.core).view(np.uint8), _square(2 * clear + 1))
    paper_mm2 = float(near.size - np.count_nonzero(near)) / (px_mm * px_mm)
    if paper_mm2 <= 0 or levels.printed <= 0:
        return 0.0, 0.0
    smooth = cv2.GaussianBlur(dark, (0, 0), 1.0)
    # the grain: a robust sigma of what a wider blur leaves on bare paper, every other pixel
    level = dark.astype(np.float32)
    rough = cv2.absdiff(level, cv2.GaussianBlur(level, (0, 0), 2.0))[::2, ::2]
    bare = (smooth <= levels.centre + 3)[::2, ::2]
    grain = 1.4826 * float(np.median(rough[bare] if bare.any() else rough))
    low = levels.centre + max(SHOWN_SIGMAS * grain, 3.0)
    faint = (smooth > low) & (smooth < levels.core) & (near == 0)
    n, labels, stats = components(faint.view(np.uint8))
    w, h, area = (stats[:, i] for i in (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_AREA))
    across = np.hypot(w, h) / px_mm
    letters = (
        (across >= SHOWN_LETTER_MM[0])
        & (across <= SHOWN_LETTER_MM[1])
        & (np.maximum(w, h) <= SHOWN_ELONGATION * np.minimum(w, h) + 2)
        & (area >= SHOWN_PX)
    )
    letters[0] = False  # (the rest of the region)
    count = int(np.count_nonzero(letters))
    if not count:
        return 0.0, 0.0
    inside = letters[labels]
    peaks = np.zeros(n, np.float64)
    np.maximum.at(peaks, labels[inside], smooth[inside])
    strength = (float(np.percentile(peaks[letters], 90)) - levels.centre) / levels.printed
    return count / paper_mm2 * 1000, strength


def _grain(dark: Array, centre: float) -> float:
    """The mean step (levels) between neighbours along the rows of a region's bare
    paper, every other pixel: where the darkness, smoothed, is within a few levels of
    the paper's (``centre``), away from anything that lies on it."""
    sample = np.ascontiguousarray(dark[::2, ::2])
    bare = cv2.GaussianBlur(sample, (0, 0), 1.0) <= centre + 3
    pairs = bare[:, 1:] & bare[:, :-1]
    steps = cv2.absdiff(sample[:, 1:], sample[:, :-1])
    return float(steps[pairs].mean()) if pairs.any() else 0.0


def _ink_mask(dark: Array, levels: Levels) -> Array:
    """Ink: darker than the paper by INK_DARKER, and by four times the noise (a phone
    photo's sensor noise can reach the threshold); and only where it is somewhere as
    dark as SHOW_THROUGH of the print: the other side of thin paper shines through at
    up to ~15 % of its darkness, softened, while a mark made on this side, even in
    pencil, is darker than that along its core (``levels`` of ``dark``)."""
    threshold = max(INK_DARKER * 255.0, levels.centre + 4.0 * levels.sigma)
    ink = cv2.threshold(dark, threshold, 1, cv2.THRESH_BINARY)[1]
    if levels.core <= threshold:
        return ink
    labels, strong = _reaching(ink, dark, levels.core)
    strong[0] = False
    if strong[1:].all():
        return ink
    return strong.view(np.uint8)[labels]  # (0/1: one gather, no copy after it)


def solid_print(gray: Array) -> float:
    """How much darker than the paper solid print is (0..255), from a block that is
    about half solid print and half paper (the QR code with its quiet zone): the
    darkest pixels are the modules' middles, which no scanner's blur or a phone's focus
    lightens, as it lightens thin lines. 0 for no pixels: the region's print alone."""
    if gray.size == 0:
        return 0.0
    counts = histogram(np.ascontiguousarray(gray))
    paper = max(_from_histogram(counts, 90), 1.0)
    return float(np.clip((paper - _from_histogram(counts, SOLID_PERCENTILE)) / paper, 0, 1) * 255)


def _reaching(
    mask: Array,
    dark: Array,
    core: float,
    share: float = 0.0,
    beside: Array | None = None,
    typical: float = 0.0,
    least: int = 1,
) -> tuple[Array, Array]:
    """The mask's connected pieces (labels) and which of them are darker than ``core``
    at ``least`` pixels (``share`` 0), or over more than ``share`` of their pixels
    (label 0, the paper, as it comes); not counting pixels where ``beside`` is set, and
    only pieces whose median pixel is darker than ``typical``."""
    n, labels = cv2.connectedComponents(mask, connectivity=8)
    above = dark > core
    if beside is not None:
        above &= beside == 0
    if not share:
        strong = np.bincount(labels[above], minlength=n) >= least
    else:
        area = np.bincount(labels.ravel(), minlength=n)
        strong = np.bincount(labels[above], minlength=n) > share * area
    if typical > 0 and strong[1:].any():
        strong &= _medians(labels, dark, n) > typical
    return labels, strong


def _medians(labels: Array, dark: Array, n: int) -> Array:
    """Each piece's median darkness (0 for label 0, the paper)."""
    inked = labels > 0
    flat, values = labels[inked], dark[inked]
    order = np.lexsort((values, flat))
    counts = np.bincount(flat, minlength=n)
    starts = np.cumsum(counts) - counts
    middle = np.minimum(starts + counts // 2, max(flat.size - 1, 0))
    medians = values[order][middle] if flat.size else np.zeros(n, dark.dtype)
    medians[counts == 0] = 0
    return medians


def _faint(
    ink: Array,
    dark: Array,
    band: Array,
    levels: Levels,
    crease: Array | None = None,
    least: int = 1,
) -> Array:
    """Ink outside the printed lines (``band``) that is ink only by touching them or a
    speck: the piece it makes without them reaches the show-through bar (``levels`` of
    ``dark``, as ``_ink_mask`` takes them) nowhere, or on clean paper over no more than
    SPECK_SHARE of it (``_ink_mask`` judges a piece whole, with what it touches).
    A faint line shining through from the other side that runs over a box's outline,
    or that a speck of dust or a dark dot of a scanner's noise lies on; or light pencil.
    Which it is, a person decides (``rules.read_box``): it is neither a mark (a
    refusal, on the child's box every clause's) nor nothing (which could leave the
    other box's mark alone). Pixels where ``crease`` is set do not reach the bar: a
    fold's crease lends what it crosses its shading. On a photo a piece reaches the bar
    at ``least`` pixels (one in a box: light pencil there reaches it at a few)."""
    core = levels.core
    if not levels.grainy:
        share = DOTTED_SHARE if levels.dotted else SPECK_SHARE
        pieces = cv2.subtract(ink, band)
        labels, strong = _reaching(pieces, dark, core, share, crease)
        if not levels.dotted and strong[1:].any() and _speckled(labels, len(strong), dark, core):
            # a scanner's dark dots: on the other side's writing too, where they lift
            # SPECK_SHARE of it and more. Judged without them (a 3x3 median keeps a
            # stroke two pixels wide and more, not a dot)
            labels, strong = _reaching(pieces, cv2.medianBlur(dark, 3), core, share, crease)
    else:  # a photo: not by grain, nor by print blurred next to the band (TYPICAL)
        beside = cv2.dilate(band, _square(3))
        if crease is not None:
            beside |= crease
        typical = levels.centre + levels.typical * levels.printed
        labels, strong = _reaching(cv2.subtract(ink, band), dark, core, 0.0, beside, typical, least)
    strong[0] = True
    return (~strong).view(np.uint8)[labels]


def _speckled(labels: Array, n: int, dark: Array, core: float) -> bool:
    """Whether a scanner's dark dots lie all over a region: pieces of ink (``labels``,
    ``n`` labels) of at most SPECK_PX pixels that reach the bar (``core``), SPECKLED
    per megapixel or more."""
    if n - 1 < SPECKLED * labels.size / 1e6:  # (so many pieces in all: a clean page has not)
        return False
    area = np.bincount(labels.ravel(), minlength=n)
    reach = np.bincount(labels[dark > core], minlength=n)
    specks = np.count_nonzero((area[1:] <= SPECK_PX) & (reach[1:] > 0))
    return bool(specks >= SPECKLED * labels.size / 1e6)


def _components(mask: Array) -> tuple[Array, Array, Array, Array]:
    """Labels and per-label stats (x, y, w, h, area) of 8-connected ink; spans (longer
    bounding-box side) and areas as their own arrays for the filters."""
    _, labels, stats = components(mask)
    span = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    return labels, stats, span, stats[:, cv2.CC_STAT_AREA]


def _keep(keep: Array, labels: Array) -> Array:
    keep = keep.copy()
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _square(size: int) -> Array:
    return cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))


def _strip_lines(
    ink: Array, lines: _Lines, px_mm: float, join: bool = True
) -> tuple[Array, Array, Array, Array]:
    """Ink with the printed lines taken out, without the fringes a line blurred wider
    than its band leaves along it (ink wholly within FRINGE_MM of the band) and without
    specks (ink tiny in either sense: dust, speckle, a full stop); with ``join``, where a
    stroke crosses a line it is joined again (and labelled again). Returns the writing
    (with the dropped labels still in it, unless joined), its labels, stats and which
    labels are dropped (``_components``)."""
    hw = cv2.subtract(ink, lines.band)
    labels, stats, span, area = _components(hw)
    drop = _fringes(stats, lines)
    drop |= (area < DUST_AREA_MM2 * px_mm * px_mm) | (span < DUST_MM * px_mm)
    drop[0] = True
    if not join:
        return hw, labels, stats, drop
    dropped = bool(drop[1:].any())
    if dropped:
        hw = (~drop).view(np.uint8)[labels]  # (label 0 is dropped too: paper stays 0)
    joined = _bridge(hw, ink, lines)
    if joined is not None:  # strokes cross the lines: label them again
        hw = joined
        labels, stats, _, _ = _components(hw)
        drop = np.zeros(len(stats), bool)
        drop[0] = True
    elif dropped:  # the dropped labels out of the labels too
        lut = np.arange(len(stats), dtype=labels.dtype)
        lut[drop] = 0
        labels = lut[labels]
    return hw, labels, stats, drop


def _fringes(stats: Array, lines: _Lines) -> Array:
    """Labels wholly within the fringe zone round a printed rectangle's line: their
    bounding box lies inside the zone's outer edge and clear of its hole."""
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x1, y1 = x + stats[:, cv2.CC_STAT_WIDTH], y + stats[:, cv2.CC_STAT_HEIGHT]
    found = np.zeros(len(stats), bool)
    for (oy0, oy1, ox0, ox1), (hy0, hy1, hx0, hx1) in lines.zones:
        inside = (x >= ox0) & (x1 <= ox1) & (y >= oy0) & (y1 <= oy1)
        clear = (x1 <= hx0) | (x >= hx1) | (y1 <= hy0) | (y >= hy1)
        found |= inside & clear
    return found


@dataclass
class _Lines:
    """Printed rectangles' lines in a block: ``band`` the pixels taken out as print,
    ``zones`` each line's band and FRINGE_MM more as (outer, hole) pixel bounds,
    ``strips`` (y0, y1, x0, x1) windows that hold the band's sides, where crossing
    strokes are joined again."""

    band: Array
    zones: list[tuple[tuple[int, int, int, int], tuple[int, int, int, int]]]
    strips: list[tuple[int, int, int, int]]
    gap_px: int  # the band's width


def _lines(
    shape: tuple[int, int], rects: Sequence[Sequence[float]], border_mm: float, px_mm: float
) -> _Lines:
    band = np.zeros(shape, np.uint8)
    zones = []
    strips = []
    gap = max(1, round((border_mm + 2 * OUTLINE_BAND_MM) * px_mm))
    k = gap + 3
    for rect in rects:
        oy0, oy1, ox0, ox1 = _interior(rect, -OUTLINE_BAND_MM, px_mm)
        iy0, iy1, ix0, ix1 = _interior(rect, border_mm + OUTLINE_BAND_MM, px_mm)
        band[oy0:oy1, ox0:ox1] = 1
        band[iy0:iy1, ix0:ix1] = 0
        zones.append(
            (
                _interior(rect, -OUTLINE_BAND_MM - FRINGE_MM, px_mm),
                _interior(rect, border_mm + OUTLINE_BAND_MM + FRINGE_MM, px_mm),
            )
        )
        y0, y1, x0, x1 = max(oy0 - k, 0), oy1 + k, max(ox0 - k, 0), ox1 + k
        strips += [
            (y0, iy0 + k, x0, x1),
            (max(iy1 - k, 0), y1, x0, x1),
            (y0, y1, x0, ix0 + k),
            (y0, y1, max(ix1 - k, 0), x1),
        ]
    return _Lines(band, zones, strips, gap)


def _bridge(hw: Array, ink: Array, lines: _Lines) -> Array | None:
    """Writing joined again where a stroke crosses a printed line taken out: a band
    pixel that is ink and lies between writing on both sides (a closing over the gap)
    is writing. None when nothing was joined."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (lines.gap_px + 3, lines.gap_px + 3))
    joined = None
    for y0, y1, x0, x1 in lines.strips:
        part = hw[y0:y1, x0:x1]
        if not part.any():
            continue
        closed = cv2.morphologyEx(part, cv2.MORPH_CLOSE, kernel)
        add = closed & lines.band[y0:y1, x0:x1] & ink[y0:y1, x0:x1] & (1 - part)
        if add.any():
            if joined is None:
                joined = hw.copy()
            joined[y0:y1, x0:x1] |= add
    return joined
