"""Where the real REES46 rows are: `../shared/data/real/` beside the repository (never committed).

Tests that read them use `real_file(name)`; the folder is beside every clone (developers' and CI's).
Its README lists the files, their quirks and the published figures for the full months.
"""

from __future__ import annotations

from pathlib import Path

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"

# The files, by what they are (see REAL_DATA / "README.md").
MULTI_OCT_CRLF_CUT = "ibrhmspl__Team11_Customer_Segmentation__2019-Oct.csv__6bb1f7e0141b.csv.gz"
MULTI_OCT_LF = "pantiukhin-dot__lab2_BD__2019-Oct.csv__3ca4337189f4.csv.gz"
MULTI_NOV_NO_HEADER = (
    "ucsgamoraes__organizacao-indices__2019-Oct_curta_.csv__0760444aa8de.NOV2019.noheader.csv.gz"
)
COSMETICS_OCT_INDEXED = "seaportai1__retail__2019-oct.csv__4c482bca378b.COSMETICS.pandas-index.csv.gz"
COSMETICS_DEC_INDEXED = "seaportai1__retail__2019-dec.csv__4c482bca378b.COSMETICS.pandas-index.csv.gz"
MULTI_OCT_DERIVED = "derived/ibrhmspl__2019-Oct__head17434__LF.csv.gz"
MULTI_NOV_DERIVED = "derived/ucsgamoraes__2019-Nov__head683__withheader.csv.gz"
COSMETICS_OCT = "derived/seaportai1__cosmetics-2019-oct__head20000+tail__noindex.csv.gz"
COSMETICS_DEC = "derived/seaportai1__cosmetics-2019-dec__head20000+tail__noindex.csv.gz"


def real_file(name: str) -> Path:
    """The path of one real file; a clear failure (not a skip) when the shared folder is missing."""
    path = REAL_DATA / name
    if not path.exists():
        raise FileNotFoundError(
            f"real data file missing: {path} (expected ../shared/data/real beside the repo)"
        )
    return path
