"""Synthetic month of clickstream events in exactly the REES46 / Kaggle CSV format.

Used for the committed sample, the end-to-end tests and `make bench` (millions of rows), so the bulk
work is vectorised with numpy and pyarrow: no Python loop runs per event. The month is produced in
chunks of CHUNK_ROWS lines (bounded memory); each chunk covers a slice of the month's traffic, so the
file comes out (almost) in time order like the real one.

Layers, from pure to I/O:
- `build_catalogue(seed)`: categories, brands, products with prices and popularity;
- `plan_month(...)`: how many lines, duplicates and bad lines each chunk gets;
- `generate_chunk(...)`: one chunk's events as typed numpy arrays (pure, tested directly);
- `format_lines(...)`: the chunk as CSV lines (a pyarrow string array), bad lines mixed in;
- `write_month(...)`: writes the file atomically (`.csv` or `.csv.gz` by extension).

Shape of the data (what the tests check): about 95.2% view, 3.0% cart, 1.7% purchase; about 30% of
events without category_code and 14% without brand; sessions of several events in time order (views,
then carts of viewed products, then purchases mostly of carted products); a daily traffic curve low
at night UTC and peaking in the late afternoon; 0.2% exact duplicate lines; 0.1% of events at price 0.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from spark_jobs.contract import RAW_COLUMNS
from spark_jobs.months import parse_month

log = logging.getLogger("spark_jobs.generate")

HEADER = ",".join(RAW_COLUMNS)  # the Kaggle header
CHUNK_ROWS = 1_000_000  # part of the output's definition: changing it changes the bytes for a seed
GZIP_LEVEL = 6
DUPLICATE_SHARE = 0.002
ZERO_PRICE_SHARE = 0.001
NO_CATEGORY_CODE_SHARE = 0.30  # share of events whose category has no code
NO_BRAND_SHARE = 0.14  # share of events whose product has no brand
EVENT_TYPES = ("view", "cart", "purchase")

# Session shape. Expected events per session: 4.5 views + 0.144 carts + 0.081 purchases, which gives
# 95.2% / 3.0% / 1.7%. Purchases: 52% of carted products, plus rare direct purchases (no cart).
MEAN_VIEWS = 4.5
CART_SESSION_SHARE = 0.125
SECOND_CART_SHARE = 0.2
CART_PURCHASE_SHARE = 0.52
DIRECT_PURCHASE_SHARE = 0.006
SAME_CATEGORY_SHARE = 0.7  # a view stays in the session's first category
REPEAT_VIEW_SHARE = 0.1  # a view of the same product again
MEAN_GAP_SECONDS = {"view": 40.0, "cart": 15.0, "purchase": 90.0}
MAX_GAP_SECONDS = 1800
EVENTS_PER_USER = 15  # user pool size = rows / EVENTS_PER_USER
N_PRODUCTS = 20_000

# Bad lines for end-to-end tests: each breaks exactly one rule of the clean job, named by its reason.
# Field values replace one field of a valid line; "malformed_row" drops or adds a field instead.
BAD_VALUES: dict[str, tuple[int, tuple[str, ...]]] = {
    "bad_event_time": (
        0,
        (
            "2019-02-30 10:00:00 UTC",
            "{month}-32 08:15:00 UTC",
            "{month}-10 24:00:00 UTC",
            "{month}-10T08:15:00Z",
            "not-a-time",
        ),
    ),
    "bad_event_type": (1, ("click", "wishlist", "checkout")),
    "bad_product_id": (2, ("-1004856", "0", "abc", "12.5")),
    "bad_category_id": (3, ("-2053013555631882655", "cat", "1e5")),
    "bad_price": (6, ("-12.50", "abc", "12..5", "$10")),
    "bad_user_id": (7, ("-512475445", "0", "user42")),
    "missing_session": (8, ("",)),
}
BAD_KINDS = ("malformed_row", *BAD_VALUES)

# Category tree: first level -> (codes below it, its brands, median price in dollars), as word lists.
TAXONOMY: dict[str, tuple[str, str, float]] = {
    "electronics": (
        "smartphone audio.headphone video.tv clocks tablet telephone camera.video camera.photo "
        "audio.subwoofer audio.acoustic audio.microphone audio.amplifier audio.dictaphone video.projector "
        "audio.music_tools clocks.smart",
        "samsung apple xiaomi huawei oppo sony lg honor meizu nokia vivo jbl philips canon nikon gopro "
        "garmin jabra sennheiser asus realme",
        220.0,
    ),
    "appliances": (
        "kitchen.washer kitchen.refrigerators kitchen.microwave kitchen.hood kitchen.oven kitchen.blender "
        "kitchen.kettle kitchen.coffee_machine kitchen.toster kitchen.mixer kitchen.juicer "
        "kitchen.meat_grinder kitchen.hob kitchen.dishwasher kitchen.grill kitchen.steam_cooker "
        "kitchen.fryer kitchen.coffee_grinder environment.vacuum environment.air_heater "
        "environment.air_conditioner environment.water_heater environment.fan iron personal.hair_cutter "
        "personal.scales personal.massager sewing_machine ironing_board",
        "bosch samsung lg indesit beko electrolux philips tefal redmond polaris vitek braun atlant midea "
        "haier gorenje delonghi karcher dyson scarlett",
        140.0,
    ),
    "computers": (
        "notebook desktop peripherals.printer peripherals.mouse peripherals.keyboard peripherals.monitor "
        "peripherals.camera peripherals.scanner components.videocards components.memory components.hdd "
        "components.cpu components.motherboard components.power_supply components.cooler network.router "
        "ebooks",
        "lenovo hp acer asus dell apple msi logitech epson kingston seagate wd intel amd gigabyte tp-link "
        "a4tech defender sandisk",
        180.0,
    ),
    "apparel": (
        "shoes shoes.keds shoes.sandals shoes.slipons shoes.espadrilles shoes.step_ins shoes.ballet_shoes "
        "shoes.moccasins shoes.sneakers costume jacket jeans shirt skirt trousers tshirt dress underwear "
        "belt glove scarf sock",
        "nike adidas puma reebok asics skechers converse vans fila lacoste levis crocs ecco rieker tommy",
        45.0,
    ),
    "furniture": (
        "living_room.sofa living_room.cabinet living_room.chair bedroom.bed bedroom.pillow "
        "bedroom.blanket kitchen.table kitchen.chair bathroom.bath bathroom.toilet universal.light "
        "office.chair",
        "askona ormatek halmar signal everprof brabix woodville tetchair",
        90.0,
    ),
    "construction": (
        "tools.drill tools.saw tools.welding tools.screw tools.light tools.generator tools.pump "
        "tools.painting components.faucet components.camera",
        "makita bosch dewalt stanley metabo hitachi interskol zubr ryobi grohe hansgrohe",
        80.0,
    ),
    "kids": (
        "toys carriage skates dolls swing fmcg.diapers bottles",
        "lego mattel hasbro chicco pampers huggies merries britax cybex",
        30.0,
    ),
    "auto": (
        "accessories.player accessories.videoregister accessories.radar accessories.alarm "
        "accessories.compressor accessories.parktronic",
        "pioneer alpine kenwood neoline starline pandora xiaomi berkut",
        60.0,
    ),
    "sport": (
        "bicycle tennis ski snowboard trainer diving",
        "stels forward merida stern torneo wilson head atomic salomon burton",
        110.0,
    ),
    "accessories": (
        "bag wallet umbrella case",
        "samsonite tigernu piquadro wenger fabretti xiaomi",
        25.0,
    ),
    "country_yard": (
        "lawn_mower cultivator watering furniture.hammok",
        "gardena huter champion patriot greenworks",
        120.0,
    ),
    "medicine": (
        "tools.tonometer",
        "omron microlife beurer",
        35.0,
    ),
    "stationery": (
        "cartrige",
        "hp canon epson cactus brother",
        15.0,
    ),
}
# Relative traffic of each first level among events that have a category code.
FIRST_LEVEL_TRAFFIC = {
    "electronics": 50.0,
    "appliances": 17.0,
    "computers": 8.0,
    "apparel": 7.0,
    "furniture": 3.0,
    "construction": 4.0,
    "kids": 3.0,
    "auto": 2.0,
    "sport": 2.0,
    "accessories": 1.5,
    "country_yard": 1.0,
    "medicine": 0.5,
    "stationery": 0.3,
}
N_UNCODED_CATEGORIES = 150
UNCODED_BRANDS = (
    "lucente elenberg artel sokolov bioderma kapous maybelline cordiant nokian respect mizuno garnier"
)


@dataclass(frozen=True)
class Catalogue:
    """Products ordered by category, with the pre-formatted middle of their CSV lines."""

    category_first_product: np.ndarray  # products of category c: [first[c], first[c + 1])
    product_category: np.ndarray  # category index of each product
    product_cum_weight: np.ndarray  # cumulative popularity (float64), last value 1.0
    product_segments: pa.StringArray  # "product_id,category_id,category_code,brand,price"; then price 0

    @property
    def n_products(self) -> int:
        return len(self.product_category)


@dataclass(frozen=True)
class ChunkPlan:
    index: int
    lines: int  # lines written for this chunk, duplicates and bad lines included
    duplicates: int
    bad_lines: int
    traffic_from: float  # slice of the month's cumulative traffic this chunk covers, in [0, 1]
    traffic_to: float

    @property
    def unique_events(self) -> int:
        return self.lines - self.duplicates - self.bad_lines


@dataclass(frozen=True)
class ChunkEvents:
    """One chunk's events in output order (duplicates included), as arrays."""

    seconds: np.ndarray  # seconds since the start of the month
    event_type: np.ndarray  # index into EVENT_TYPES
    product: np.ndarray  # index into the catalogue
    zero_price: np.ndarray  # bool
    session: np.ndarray  # index into session_users / session_ids
    session_users: np.ndarray  # user_id per session
    session_ids: pa.StringArray  # UUID-like user_session per session


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _zipf_weights(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Popularity for n items: rank**-exponent over a random order of the items."""
    weights = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    return weights[rng.permutation(n)]


def build_catalogue(seed: int, n_products: int = N_PRODUCTS) -> Catalogue:
    """Categories (coded and not), products with brand, price and popularity; depends on the seed only."""
    rng = _rng(seed, 1)
    codes: list[str] = []
    weights: list[float] = []
    brand_pools: list[tuple[str, ...]] = []
    medians: list[float] = []
    for first_level, (below_words, brand_words, median) in TAXONOMY.items():
        below, brands = below_words.split(), tuple(brand_words.split())
        code_weights = _zipf_weights(len(below), 1.0, rng) * FIRST_LEVEL_TRAFFIC[first_level]
        for code, weight in zip(below, code_weights, strict=True):
            # A code can map to several category_ids, as in the real data.
            for share in _split(weight, int(rng.choice([1, 1, 2, 3])), rng):
                codes.append(f"{first_level}.{code}")
                weights.append(share)
                brand_pools.append(brands)
                medians.append(median * float(rng.uniform(0.5, 2.0)))
    n_coded = len(codes)
    coded_weights = np.array(weights) / sum(weights) * (1 - NO_CATEGORY_CODE_SHARE)
    uncoded_weights = _zipf_weights(N_UNCODED_CATEGORIES, 1.0, rng)
    uncoded_weights *= NO_CATEGORY_CODE_SHARE / uncoded_weights.sum()
    all_brands = tuple(
        sorted({b for _, words, _ in TAXONOMY.values() for b in words.split()} | set(UNCODED_BRANDS.split()))
    )
    codes += [""] * N_UNCODED_CATEGORIES
    brand_pools += [all_brands] * N_UNCODED_CATEGORIES
    medians += list(rng.uniform(5.0, 150.0, N_UNCODED_CATEGORIES))
    category_weights = np.concatenate([coded_weights, uncoded_weights])
    n_categories = len(codes)
    category_ids = 2053013552000000000 + np.sort(rng.choice(14_000_000_000, n_categories, replace=False))
    category_ids = category_ids[rng.permutation(n_categories)]

    # Products per category: a few, more for popular categories; the rest proportional to traffic.
    counts = 3 + np.floor(category_weights * (n_products - 3 * n_categories)).astype(np.int64)
    counts[np.argmax(category_weights)] += n_products - counts.sum()
    first = np.concatenate([[0], np.cumsum(counts)])
    product_category = np.repeat(np.arange(n_categories), counts)
    product_weights = np.concatenate([_zipf_weights(int(c), 1.1, rng) for c in counts])
    product_weights /= np.add.reduceat(product_weights, first[:-1])[product_category]
    product_weights *= category_weights[product_category]
    cum_weight = np.cumsum(product_weights)
    cum_weight /= cum_weight[-1]

    product_ids = 1_000_000 + np.cumsum(rng.integers(1, 2_500, n_products))
    product_ids = product_ids[rng.permutation(n_products)]
    brands = _product_brands(product_category, product_weights, brand_pools, rng)
    median_cents = np.array(medians)[product_category] * 100
    cents = np.round(median_cents * rng.lognormal(0.0, 0.6, n_products)).astype(np.int64)
    cents = np.clip(cents, 50, 500_000)
    segments = _product_segments(
        product_ids,
        category_ids[product_category],
        np.array(codes, dtype=object)[product_category],
        brands,
        cents,
    )
    log.debug("catalogue: %d categories (%d coded), %d products", n_categories, n_coded, n_products)
    return Catalogue(first, product_category, cum_weight, segments)


def _split(weight: float, parts: int, rng: np.random.Generator) -> np.ndarray:
    return weight * rng.dirichlet(np.full(parts, 2.0))


def _product_brands(product_category, product_weights, brand_pools, rng) -> np.ndarray:
    """A brand from the category's pool; none for a random set of products holding NO_BRAND_SHARE of traffic."""
    brands = np.array(
        [pool[int(rng.integers(len(pool)))] for pool in (brand_pools[c] for c in product_category)],
        dtype=object,
    )
    order = rng.permutation(len(brands))
    cumulative = np.cumsum(product_weights[order]) / product_weights.sum()
    brands[order[cumulative <= NO_BRAND_SHARE]] = ""
    return brands


def _product_segments(product_ids, category_ids, codes, brands, cents) -> pa.StringArray:
    def text(values) -> pa.Array:
        return pc.cast(pa.array(values), pa.string())

    def segments(price: pa.Array) -> pa.Array:
        return pc.binary_join_element_wise(
            text(product_ids), text(category_ids), text(codes), text(brands), price, ","
        )

    zero = pa.array(["0.00"] * len(cents))
    return pa.concat_arrays([segments(format_price(cents)), segments(zero)])


def format_price(cents: np.ndarray) -> pa.Array:
    """Integer cents -> '489.07', '0.00'."""
    hundredths = pa.array([f"{i:02d}" for i in range(100)]).take(pa.array(cents % 100))
    return pc.binary_join_element_wise(pc.cast(pa.array(cents // 100), pa.string()), hundredths, ".")


def traffic_curve(year: int, month: int, seed: int) -> np.ndarray:
    """Relative traffic per minute of the month: low at night UTC, peak around 16:00, busier weekends."""
    days = calendar.monthrange(year, month)[1]
    hours = np.arange(24 * 60) / 60.0
    daily = 0.12 + (1 - np.cos(2 * np.pi * (hours - 4.0) / 24.0)) / 2  # minimum at 04:00, peak at 16:00
    daily += 0.25 * np.exp(-((hours - 19.0) ** 2) / 4.0)  # evening shoulder
    weekdays = np.array([dt.date(year, month, d + 1).weekday() for d in range(days)])
    per_day = np.where(weekdays >= 5, 1.15, 1.0) * _rng(seed, 2, year, month).uniform(0.9, 1.1, days)
    return (per_day[:, None] * daily[None, :]).ravel()


def plan_month(rows: int, bad_rows: int = 0, chunk_rows: int = CHUNK_ROWS) -> list[ChunkPlan]:
    """Split `rows` lines into chunks; duplicates and bad lines spread evenly over them."""
    if rows < 1:
        raise ValueError(f"--rows must be at least 1, got {rows}")
    if not 0 <= bad_rows <= rows:
        raise ValueError(f"--bad-rows must be between 0 and --rows ({rows}), got {bad_rows}")
    duplicates = round(DUPLICATE_SHARE * (rows - bad_rows))
    plans = []
    for index, start in enumerate(range(0, rows, chunk_rows)):
        end = min(start + chunk_rows, rows)
        plans.append(
            ChunkPlan(
                index=index,
                lines=end - start,
                duplicates=duplicates * end // rows - duplicates * start // rows,
                bad_lines=bad_rows * end // rows - bad_rows * start // rows,
                traffic_from=start / rows,
                traffic_to=end / rows,
            )
        )
    return plans


def generate_chunk(
    catalogue: Catalogue,
    curve_cdf: np.ndarray,
    month_seconds: int,
    n_users: int,
    plan: ChunkPlan,
    rng: np.random.Generator,
) -> ChunkEvents:
    """One chunk's events: whole sessions (the last one cut) in time order, then duplicates injected."""
    wanted = plan.unique_events
    n_views, n_carts, n_purchases = _session_shapes(wanted, rng)
    sizes = n_views + n_carts + n_purchases
    n_sessions = int(np.searchsorted(np.cumsum(sizes), wanted)) + 1 if wanted else 0
    n_views, n_carts, n_purchases, sizes = (a[:n_sessions] for a in (n_views, n_carts, n_purchases, sizes))
    session = np.repeat(np.arange(n_sessions), sizes)[:wanted]
    first_event = np.cumsum(sizes) - sizes
    position = np.arange(wanted) - first_event[session]
    views, carts = n_views[session], n_carts[session]
    event_type = np.where(position < views, 0, np.where(position < views + carts, 1, 2)).astype(np.int8)

    product = _view_products(catalogue, session, position, first_event, rng)
    # A cart or purchase of rank r in the session is of the product of view (views - 1 - r).
    rank = np.where(event_type == 1, position - views, position - views - carts)
    source_view = first_event[session] + np.maximum(views - 1 - rank, 0)
    product = np.where(event_type == 0, product, product[np.minimum(source_view, wanted - 1)])

    seconds = _event_seconds(event_type, session, first_event, curve_cdf, month_seconds, plan, rng)
    zero_price = rng.random(wanted) < ZERO_PRICE_SHARE
    order = np.argsort(seconds, kind="stable")
    copies = np.ones(wanted, dtype=np.int64)
    copies[rng.choice(wanted, plan.duplicates, replace=False)] = 2  # the copy lands next to its original
    order = np.repeat(order, copies)
    users = 510_000_000 + (_skewed_index(n_users, n_sessions, rng) * 2_654_435_761) % 100_000_007
    return ChunkEvents(
        seconds[order],
        event_type[order],
        product[order],
        zero_price[order],
        session[order],
        users,
        _session_ids(n_sessions, rng),
    )


def _session_shapes(events: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views, carts and purchases per session, for enough sessions to hold `events` events."""
    n = int(events / (MEAN_VIEWS + 0.2) * 1.2) + 64
    views = rng.geometric(1 / MEAN_VIEWS, n)
    carts = (rng.random(n) < CART_SESSION_SHARE) * (1 + (rng.random(n) < SECOND_CART_SHARE))
    carts = np.minimum(carts, views)
    purchases = rng.binomial(carts, CART_PURCHASE_SHARE) + (rng.random(n) < DIRECT_PURCHASE_SHARE)
    if (views + carts + purchases).sum() < events:  # astronomically unlikely; draw a bigger batch
        return _session_shapes(events * 2, rng)
    return views, carts, purchases


def _view_products(catalogue: Catalogue, session, position, first_event, rng) -> np.ndarray:
    """Products viewed: the first by popularity, later ones mostly in the same category, some repeated."""
    n = len(session)
    cum = catalogue.product_cum_weight
    anywhere = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), catalogue.n_products - 1)
    focus_category = catalogue.product_category[anywhere[first_event[session]]]
    first = catalogue.category_first_product
    low = np.where(first[focus_category] > 0, cum[first[focus_category] - 1], 0.0)
    high = cum[first[focus_category + 1] - 1]
    in_focus = np.searchsorted(cum, low + rng.random(n) * (high - low), side="right")
    in_focus = np.clip(in_focus, first[focus_category], first[focus_category + 1] - 1)
    product = np.where((position > 0) & (rng.random(n) < SAME_CATEGORY_SHARE), in_focus, anywhere)
    # A repeated view shows the product of the latest view that was not a repeat (forward fill).
    repeat = (position > 0) & (rng.random(n) < REPEAT_VIEW_SHARE)
    return product[np.maximum.accumulate(np.where(repeat, 0, np.arange(n)))]


def _event_seconds(event_type, session, first_event, curve_cdf, month_seconds, plan, rng) -> np.ndarray:
    """Session start from the traffic curve (within the chunk's slice), then gaps between its events."""
    n_sessions = len(first_event)
    quantile = plan.traffic_from + rng.random(n_sessions) * (plan.traffic_to - plan.traffic_from)
    minute = np.minimum(np.searchsorted(curve_cdf, quantile, side="right"), len(curve_cdf) - 1)
    start = minute * 60 + rng.integers(0, 60, n_sessions)
    means = np.array([MEAN_GAP_SECONDS[name] for name in EVENT_TYPES])[event_type]
    gaps = np.minimum(1 + np.floor(rng.exponential(means)), MAX_GAP_SECONDS).astype(np.int64)
    elapsed = np.cumsum(gaps)
    offset = elapsed - elapsed[first_event[session]]
    last_event = np.minimum(np.append(first_event[1:], len(session)), len(session)) - 1
    duration = offset[last_event]  # offsets grow within a session
    start = np.clip(start, 0, month_seconds - 1 - duration)  # the whole session stays inside the month
    return start[session] + offset


def _skewed_index(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices in [0, n) where low indices are much more frequent (a few users have many sessions)."""
    return np.minimum((n * rng.random(size) ** 2.5).astype(np.int64), n - 1)


def _session_ids(n: int, rng: np.random.Generator) -> pa.StringArray:
    """UUID version 4 strings, e.g. 9b7f3a1e-5c2d-4e8f-a0b1-c2d3e4f5a6b7."""
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hex_digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    nibbles = np.stack([raw >> 4, raw & 0x0F], axis=2).reshape(n, 32)
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    text[:, [i for i in range(36) if i not in (8, 13, 18, 23)]] = hex_digits[nibbles]
    return _fixed_width_strings(text)


def _fixed_width_strings(text: np.ndarray) -> pa.StringArray:
    """A (rows, width) uint8 array of ASCII -> pyarrow strings, without a Python loop."""
    rows, width = text.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text)))


def format_event_times(year: int, month: int, seconds: np.ndarray) -> pa.StringArray:
    """Seconds since the start of the month -> 'YYYY-MM-DD HH:MM:SS UTC'."""
    text = np.tile(
        np.frombuffer(f"{year:04d}-{month:02d}-DD HH:MM:SS UTC".encode(), dtype=np.uint8), (len(seconds), 1)
    )
    fields = (1 + seconds // 86_400, seconds // 3_600 % 24, seconds // 60 % 60, seconds % 60)
    for column, value in zip((8, 11, 14, 17), fields, strict=True):
        text[:, column] = ord("0") + value // 10
        text[:, column + 1] = ord("0") + value % 10
    return _fixed_width_strings(text)


def format_lines(catalogue: Catalogue, year: int, month: int, events: ChunkEvents) -> pa.StringArray:
    """The chunk's CSV lines, each ending in a newline."""
    product_segment = catalogue.product_segments.take(
        pa.array(events.product + catalogue.n_products * events.zero_price)
    )
    session_segment = pc.binary_join_element_wise(
        pc.cast(pa.array(events.session_users), pa.string()), events.session_ids, ","
    ).take(pa.array(events.session))
    lines = pc.binary_join_element_wise(
        format_event_times(year, month, events.seconds),
        pa.array(EVENT_TYPES).take(pa.array(events.event_type)),
        product_segment,
        session_segment,
        ",",
    )
    return pc.binary_join_element_wise(lines, "", "\n")


def bad_lines(template_lines: list[str], first_kind: int, month: str, rng: np.random.Generator) -> list[str]:
    """Corrupt copies of valid lines; kinds rotate through BAD_KINDS so that a few lines cover them all.

    The first line of each kind in the file takes the kind's first value (an impossible date, a
    negative price, ...), so even a handful of bad lines shows the typical cases.
    """
    result = []
    for offset, line in enumerate(template_lines):
        kind = BAD_KINDS[(first_kind + offset) % len(BAD_KINDS)]
        fields = line.rstrip("\n").split(",")
        if kind == "malformed_row":
            fields = fields[:-1] if rng.random() < 0.5 else [*fields, "extra"]
        else:
            column, values = BAD_VALUES[kind]
            choice = int(rng.integers(len(values)))
            if first_kind + offset < len(BAD_KINDS):
                choice = 0
            fields[column] = values[choice].format(month=month)
        result.append(",".join(fields) + "\n")
    return result


def bad_kind_counts(bad_rows: int) -> dict[str, int]:
    """How many bad lines of each kind `bad_rows` bad lines hold (kinds rotate over the whole file)."""
    return {kind: len(range(index, bad_rows, len(BAD_KINDS))) for index, kind in enumerate(BAD_KINDS)}


def mix_in_bad_lines(lines: pa.StringArray, bad: list[str], rng: np.random.Generator) -> pa.StringArray:
    """Put the bad lines at random positions among the valid ones (order of both kept)."""
    if not bad:
        return lines
    total = len(lines) + len(bad)
    is_bad = np.zeros(total, dtype=bool)
    is_bad[rng.choice(total, len(bad), replace=False)] = True
    source = np.empty(total, dtype=np.int64)
    source[~is_bad] = np.arange(len(lines))
    source[is_bad] = len(lines) + np.arange(len(bad))
    return pa.concat_arrays([lines, pa.array(bad, pa.string())]).take(pa.array(source))


def month_chunks(
    rows: int, month: str, seed: int = 0, bad_rows: int = 0, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[ChunkPlan, pa.StringArray]]:
    """The whole file's data lines, chunk by chunk (pure: no I/O)."""
    year, month_number = parse_month(month)
    plans = plan_month(rows, bad_rows, chunk_rows)
    catalogue = build_catalogue(seed)
    curve = np.cumsum(traffic_curve(year, month_number, seed))
    curve /= curve[-1]
    month_seconds = calendar.monthrange(year, month_number)[1] * 86_400
    n_users = max(100, rows // EVENTS_PER_USER)
    bad_so_far = 0
    for plan in plans:
        rng = _rng(seed, 3, year * 12 + month_number, plan.index)
        events = generate_chunk(catalogue, curve, month_seconds, n_users, plan, rng)
        lines = format_lines(catalogue, year, month_number, events)
        if plan.bad_lines:
            templates = lines.take(pa.array(rng.choice(len(lines), plan.bad_lines))).to_pylist()
            bad = bad_lines(templates, bad_so_far, month, rng)
            lines = mix_in_bad_lines(lines, bad, rng)
            bad_so_far += plan.bad_lines
        yield plan, lines


@dataclass(frozen=True)
class GenerateResult:
    path: str
    rows: int
    duplicates: int
    bad_rows: dict[str, int]
    bytes_written: int
    seconds: float


def write_month(
    out: str, rows: int, month: str, seed: int = 0, bad_rows: int = 0, cut_last_line: bool = False
) -> GenerateResult:
    """Write a synthetic month to `out` (.csv or .csv.gz); a temporary file is renamed at the end.

    `cut_last_line` ends the file with one more line, a copy of the last one cut in the middle of its
    third field and without a newline, as a download cut short leaves it (a real REES46 copy ends so);
    it counts as one more line and one more `malformed_row`.
    """
    if not (out.endswith(".csv") or out.endswith(".csv.gz")):
        raise ValueError(f"--out must end in .csv or .csv.gz, got {out!r}")
    parse_month(month)
    started = time.perf_counter()
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    # A dot name: Spark and globs like *.csv ignore it if a run is interrupted before the rename.
    temporary = os.path.join(folder, f".{os.path.basename(out)}.{os.getpid()}.tmp")
    duplicates = 0
    try:
        with open(temporary, "wb") as raw:
            # filename="" and mtime=0 keep the gzip header free of the temporary name and the clock.
            sink = (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0)
                if out.endswith(".gz")
                else raw
            )
            # One writer thread: gzip (which releases the GIL) compresses chunk k while chunk k+1 is made.
            with sink, ThreadPoolExecutor(max_workers=1) as writer:
                pending = writer.submit(sink.write, HEADER.encode() + b"\n")
                last_line = ""
                for plan, lines in month_chunks(rows, month, seed, bad_rows):
                    pending.result()
                    pending = writer.submit(sink.write, _data_bytes(lines))
                    duplicates += plan.duplicates
                    last_line = lines[len(lines) - 1].as_py() if len(lines) else last_line
                    log.debug("chunk %d: %d lines", plan.index, plan.lines)
                pending.result()
                if cut_last_line and last_line:
                    sink.write(cut_line(last_line).encode())
        os.replace(temporary, out)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    bad = bad_kind_counts(bad_rows)
    if cut_last_line:
        rows, bad["malformed_row"] = rows + 1, bad["malformed_row"] + 1
    return GenerateResult(out, rows, duplicates, bad, os.path.getsize(out), time.perf_counter() - started)


def cut_line(line: str) -> str:
    """`line` cut in the middle of its third field (product_id), without its newline: 3 fields."""
    fields = line.rstrip("\n").split(",")
    return ",".join(fields[:2] + [fields[2][: max(len(fields[2]) // 2, 1)]])


def _data_bytes(lines: pa.StringArray) -> memoryview:
    """The concatenated text of a string array, straight from its data buffer."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]
