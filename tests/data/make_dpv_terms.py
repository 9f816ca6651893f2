"""Write ``dpv-2.2-terms.txt``: every term the DPV 2.2 release defines in the namespaces
formgen's export uses, one IRI a line, so the export test can check each term it meets
is real without the network.

    python tests/data/make_dpv_terms.py PATH/TO/w3c-dpv-checkout > tests/data/dpv-2.2-terms.txt

(PATH is a checkout of https://github.com/w3c/dpv; the files read are its 2.2 release.)
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

FILES = [
    "2.2/dpv/dpv.ttl",
    "2.2/pd/pd.ttl",
    "2.2/loc/loc.ttl",
    "2.2/legal/eu/legal-eu.ttl",
    "2.2/legal/eu/gdpr/eu-gdpr.ttl",
]
NAMESPACES = (
    "https://w3id.org/dpv#",
    "https://w3id.org/dpv/pd#",
    "https://w3id.org/dpv/loc#",
    "https://w3id.org/dpv/legal/eu#",
    "https://w3id.org/dpv/legal/eu/gdpr#",
)


def main(root: Path) -> None:
    terms: set[str] = set()
    for name in FILES:
        graph = Graph().parse(root / name, format="turtle")
        terms.update(
            str(s) for s in graph.subjects() if str(s).startswith(NAMESPACES) and str(s)[-1] != "#"
        )
    print("\n".join(sorted(terms)))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
