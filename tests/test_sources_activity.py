"""The library activity reader (monthly registrations, loans, visits per branch)."""

from outreach.sources.activity import read_activity
from tests.support import DATA
from tests.support.readers import ReaderContract


class TestReaderContract(ReaderContract):
    reader = staticmethod(read_activity)
    sample = DATA / "samples" / "resultats-demo" / "activite-bibliotheques.csv"
    attribute = "frame"
